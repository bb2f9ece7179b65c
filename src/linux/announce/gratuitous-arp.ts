// Gratuitous ARP as keepalived sends it when becoming Master (RFC 5798 §6.4.2 "broadcast a
// gratuitous ARP request"; RFC 5227 §3): an ARP request to the broadcast address whose sender and
// target protocol addresses are both the virtual address, so every neighbour updates its cache.
import { addressToBytes } from '../../core/address.js';

const ETHERTYPE_ARP = 0x0806;
const ARP_HARDWARE_ETHERNET = 1;
const ETHERTYPE_IPV4 = 0x0800;
const ARP_REQUEST = 1;
/** Ethernet's minimum frame without FCS; the kernel does not pad AF_PACKET frames. */
const MIN_FRAME = 60;

export function macBytes(mac: string): Uint8Array {
  const parts = mac.split(':');
  if (parts.length !== 6 || parts.some((part) => !/^[0-9a-fA-F]{2}$/.test(part))) throw new Error(`"${mac}" is not a MAC address`);
  return Uint8Array.from(parts.map((part) => parseInt(part, 16)));
}

export function gratuitousArp(senderMac: string, address: string): Buffer {
  const mac = macBytes(senderMac);
  const ip = addressToBytes('ipv4', address);
  const frame = Buffer.alloc(MIN_FRAME);
  frame.fill(0xff, 0, 6); // destination: broadcast
  frame.set(mac, 6);
  frame.writeUInt16BE(ETHERTYPE_ARP, 12);
  frame.writeUInt16BE(ARP_HARDWARE_ETHERNET, 14);
  frame.writeUInt16BE(ETHERTYPE_IPV4, 16);
  frame.writeUInt8(6, 18);
  frame.writeUInt8(4, 19);
  frame.writeUInt16BE(ARP_REQUEST, 20);
  frame.set(mac, 22); // sender hardware address
  frame.set(ip, 28); // sender protocol address
  // target hardware address stays 00:00:00:00:00:00
  frame.set(ip, 38); // target protocol address
  return frame;
}
