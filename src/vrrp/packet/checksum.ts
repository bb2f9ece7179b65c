// The Internet checksum (RFC 1071) and the pseudo-headers VRRP sums over.
import { addressToBytes, type AddressFamily } from '../../core/address.js';

export const VRRP_PROTOCOL_NUMBER = 112;

/** One's-complement sum of 16-bit words, folded, not yet complemented. */
function onesComplementSum(chunks: readonly Uint8Array[]): number {
  let sum = 0;
  let odd: number | undefined;
  // Indexed loops: the receive path sums every advertisement (1000 a second at 1000 instances).
  for (let c = 0; c < chunks.length; c++) {
    const chunk = chunks[c]!;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (odd === undefined) odd = byte;
      else {
        sum += (odd << 8) | byte;
        odd = undefined;
      }
    }
  }
  if (odd !== undefined) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

export function internetChecksum(chunks: readonly Uint8Array[]): number {
  return ~onesComplementSum(chunks) & 0xffff;
}

/**
 * The pseudo-header VRRPv3 includes in its checksum (RFC 5798 §5.2.8): for IPv4 the RFC 768
 * layout (source, destination, zero, protocol, length); for IPv6 the RFC 8200 §8.1 layout
 * (source, destination, 32-bit length, 3 zero bytes, next header). `protocol` is VRRP's unless
 * given (ICMPv6, 58, for unsolicited Neighbor Advertisements). The bytes may be shared: never
 * write to them.
 */
export function pseudoHeader(family: AddressFamily, source: string, destination: string, length: number, protocol: number = VRRP_PROTOCOL_NUMBER): Uint8Array {
  // A Backup sums the same pseudo-header for every advertisement of its Master (one source, one
  // group, one length): the last one made is given again, read-only, instead of five new arrays.
  const last = lastPseudoHeader;
  if (last && last.family === family && last.source === source && last.destination === destination && last.length === length && last.protocol === protocol) return last.bytes;
  const bytes = buildPseudoHeader(family, source, destination, length, protocol);
  lastPseudoHeader = { family, source, destination, length, protocol, bytes };
  return bytes;
}

let lastPseudoHeader: { family: AddressFamily; source: string; destination: string; length: number; protocol: number; bytes: Uint8Array } | undefined;

function buildPseudoHeader(family: AddressFamily, source: string, destination: string, length: number, protocol: number): Uint8Array {
  const src = addressToBytes(family, source);
  const dst = addressToBytes(family, destination);
  if (family === 'ipv4') {
    const tail = Uint8Array.of(0, protocol, (length >>> 8) & 0xff, length & 0xff);
    return concat([src, dst, tail]);
  }
  const tail = Uint8Array.of(
    (length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff,
    0, 0, 0, protocol,
  );
  return concat([src, dst, tail]);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
