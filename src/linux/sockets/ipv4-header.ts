// IPv4 raw sockets deliver the IP header with each packet: where the TTL and the destination
// (multicast or unicast to us) come from.
import { bytesToAddress } from '../../core/address.js';

export interface Ipv4Packet {
  readonly source: string;
  readonly destination: string;
  readonly ttl: number;
  readonly protocol: number;
  readonly payload: Uint8Array;
}

export function parseIpv4Packet(bytes: Uint8Array): Ipv4Packet | undefined {
  if (bytes.length < 20 || (bytes[0] ?? 0) >> 4 !== 4) return undefined;
  const headerLength = ((bytes[0] ?? 0) & 0x0f) * 4;
  const totalLength = ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0);
  if (headerLength < 20 || totalLength < headerLength || bytes.length < headerLength) return undefined;
  return {
    source: bytesToAddress('ipv4', bytes.subarray(12, 16)),
    destination: bytesToAddress('ipv4', bytes.subarray(16, 20)),
    ttl: bytes[8] ?? 0,
    protocol: bytes[9] ?? 0,
    // The kernel may hand over the length it received; trust the header's own total length.
    payload: bytes.slice(headerLength, Math.min(totalLength, bytes.length)),
  };
}
