// PING_CHECK's messages: ICMP echo request and reply (RFC 792) and ICMPv6's (RFC 4443 §4), and
// the destination-unreachable errors that quote our request, so a dead host is reported as such
// when the network says so rather than as a timeout. keepalived sends 128 bytes of data.
import type { AddressFamily } from '../core/address.js';

export const ECHO_DATA_BYTES = 128;

const ECHO_REQUEST = { ipv4: 8, ipv6: 128 } as const;
const ECHO_REPLY = { ipv4: 0, ipv6: 129 } as const;
const UNREACHABLE = { ipv4: 3, ipv6: 1 } as const;
const ICMP_HEADER_BYTES = 8;

/** The Internet checksum (RFC 1071) of the concatenated parts (each of even length but the last). */
function internetChecksum(...parts: Uint8Array[]): number {
  let sum = 0;
  for (const bytes of parts) for (let i = 0; i < bytes.length; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * ICMPv6's checksum covers a pseudo-header (RFC 4443 §2.3, RFC 8200 §8.1). The kernel computes it
 * for a raw ICMPv6 socket, except when the program writes the IPv6 header itself (IPV6_HDRINCL,
 * how a source address is chosen): then this fills it in, in place.
 */
export function fillIcmpv6Checksum(message: Uint8Array, source: Uint8Array, destination: Uint8Array): void {
  const pseudo = Buffer.alloc(40);
  pseudo.set(source, 0);
  pseudo.set(destination, 16);
  pseudo.writeUInt32BE(message.length, 32);
  pseudo[39] = 58;
  message[2] = 0;
  message[3] = 0;
  const sum = internetChecksum(pseudo, message);
  message[2] = sum >> 8;
  message[3] = sum & 0xff;
}

export function encodeEchoRequest(family: AddressFamily, identifier: number, sequence: number, data: Uint8Array): Uint8Array {
  const message = Buffer.alloc(ICMP_HEADER_BYTES + data.length);
  message[0] = ECHO_REQUEST[family];
  message.writeUInt16BE(identifier & 0xffff, 4);
  message.writeUInt16BE(sequence & 0xffff, 6);
  message.set(data, ICMP_HEADER_BYTES);
  // ICMPv6: the kernel computes the checksum of raw ICMPv6 sockets (RFC 3542 §3.1).
  if (family === 'ipv4') message.writeUInt16BE(internetChecksum(message), 2);
  return message;
}

export type EchoMessage =
  | { readonly kind: 'reply'; readonly identifier: number; readonly sequence: number }
  | { readonly kind: 'unreachable'; readonly identifier: number; readonly sequence: number; readonly detail: string }
  | { readonly kind: 'other' };

const UNREACHABLE_CODES: Record<AddressFamily, Record<number, string>> = {
  ipv4: { 0: 'network unreachable', 1: 'host unreachable', 3: 'port unreachable', 9: 'network prohibited', 10: 'host prohibited', 13: 'communication administratively prohibited' },
  ipv6: { 0: 'no route to destination', 1: 'communication administratively prohibited', 3: 'address unreachable', 4: 'port unreachable', 5: 'source address failed policy', 6: 'reject route' },
};

/** An ICMP message (no IP header): an echo reply, an unreachable error quoting an echo request, or something else. */
export function readEchoMessage(family: AddressFamily, bytes: Uint8Array): EchoMessage {
  if (bytes.length < ICMP_HEADER_BYTES) return { kind: 'other' };
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = view[0];
  if (type === ECHO_REPLY[family]) return { kind: 'reply', identifier: view.readUInt16BE(4), sequence: view.readUInt16BE(6) };
  if (type !== UNREACHABLE[family]) return { kind: 'other' };
  const quoted = quotedEcho(family, view.subarray(ICMP_HEADER_BYTES));
  if (!quoted) return { kind: 'other' };
  const code = view[1] ?? 0;
  return { kind: 'unreachable', ...quoted, detail: UNREACHABLE_CODES[family][code] ?? `destination unreachable (code ${code})` };
}

/** The echo request an ICMP error quotes: its IP header, then at least 8 bytes of ours. */
function quotedEcho(family: AddressFamily, packet: Buffer): { identifier: number; sequence: number } | undefined {
  let offset: number;
  if (family === 'ipv4') {
    if (packet.length < 20 || (packet[0] ?? 0) >> 4 !== 4 || packet[9] !== 1) return undefined;
    offset = ((packet[0] ?? 0) & 0x0f) * 4;
  } else {
    // IPv6 header with ICMPv6 as next header (an echo request carries no extension headers).
    if (packet.length < 40 || (packet[0] ?? 0) >> 4 !== 6 || packet[6] !== 58) return undefined;
    offset = 40;
  }
  if (packet.length < offset + ICMP_HEADER_BYTES || packet[offset] !== ECHO_REQUEST[family]) return undefined;
  return { identifier: packet.readUInt16BE(offset + 4), sequence: packet.readUInt16BE(offset + 6) };
}

/** The identifier an echo socket routes a message by (the reply's, or the quoted request's). */
export function echoIdentifierOf(family: AddressFamily, bytes: Uint8Array): number | undefined {
  const message = readEchoMessage(family, bytes);
  return message.kind === 'other' ? undefined : message.identifier;
}
