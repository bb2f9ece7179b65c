// The Internet checksum (RFC 1071) and the pseudo-headers VRRP sums over.
import { addressToBytes, type AddressFamily } from '../../core/address.js';

export const VRRP_PROTOCOL_NUMBER = 112;

/** One's-complement sum of 16-bit words, folded, not yet complemented. */
function onesComplementSum(chunks: readonly Uint8Array[]): number {
  let sum = 0;
  let odd: number | undefined;
  for (const chunk of chunks) {
    for (const byte of chunk) {
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
 * given (ICMPv6, 58, for unsolicited Neighbor Advertisements).
 */
export function pseudoHeader(family: AddressFamily, source: string, destination: string, length: number, protocol: number = VRRP_PROTOCOL_NUMBER): Uint8Array {
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
