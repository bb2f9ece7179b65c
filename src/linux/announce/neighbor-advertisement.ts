// Unsolicited Neighbor Advertisement as keepalived sends it when becoming Master (RFC 5798 §6.4.2
// "send an Unsolicited Neighbor Advertisement"; RFC 4861 §7.2.6): to all-nodes ff02::1, hop limit
// 255, from the target address itself (an address of the interface, as RFC 4861 §7.2.6 asks; the
// Linux kernel's own unsolicited NAs and keepalived 2.2.7's come from it too, captured), Override
// set, Router set when the interface forwards IPv6, with the Target Link-Layer Address option, so
// every neighbour updates its cache.
import { addressToBytes } from '../../core/address.js';
import { internetChecksum, pseudoHeader } from '../../vrrp/packet/checksum.js';
import { macBytes } from './gratuitous-arp.js';

const ETHERTYPE_IPV6 = 0x86dd;
const ICMPV6 = 58;
const NEIGHBOR_ADVERTISEMENT = 136;
/** RFC 4861 §4.4 flag bits, in the first byte after the checksum. */
const FLAG_ROUTER = 0x80;
const FLAG_OVERRIDE = 0x20;
const OPTION_TARGET_LINK_LAYER_ADDRESS = 2;
/** RFC 4861 §7.1.2: a Neighbor Advertisement with a hop limit other than 255 is discarded. */
const HOP_LIMIT = 255;
export const ALL_NODES = 'ff02::1';
/** RFC 2464 §7: IPv6 multicast to Ethernet 33:33 followed by the group's last 32 bits. */
const ALL_NODES_MAC = Uint8Array.of(0x33, 0x33, 0, 0, 0, 1);
const IPV6_HEADER = 40;
const ETHERNET_HEADER = 14;
/** ICMPv6 header (4) + flags and reserved (4) + target (16) + one 8-byte option. */
const NA_LENGTH = 32;

export interface NeighborAdvertisementOptions {
  readonly senderMac: string;
  /** The virtual address announced; also the source. */
  readonly target: string;
  /** Router flag: set when the interface forwards IPv6 (RFC 4861 §4.4). */
  readonly router: boolean;
}

export function unsolicitedNeighborAdvertisement(options: NeighborAdvertisementOptions): Buffer {
  const mac = macBytes(options.senderMac);
  const icmp = Buffer.alloc(NA_LENGTH);
  icmp.writeUInt8(NEIGHBOR_ADVERTISEMENT, 0);
  icmp.writeUInt8(0, 1); // code
  icmp.writeUInt8(FLAG_OVERRIDE | (options.router ? FLAG_ROUTER : 0), 4);
  icmp.set(addressToBytes('ipv6', options.target), 8);
  icmp.writeUInt8(OPTION_TARGET_LINK_LAYER_ADDRESS, 24);
  icmp.writeUInt8(1, 25); // length in units of 8 octets
  icmp.set(mac, 26);
  icmp.writeUInt16BE(internetChecksum([pseudoHeader('ipv6', options.target, ALL_NODES, NA_LENGTH, ICMPV6), icmp]), 2);

  const frame = Buffer.alloc(ETHERNET_HEADER + IPV6_HEADER + NA_LENGTH);
  frame.set(ALL_NODES_MAC, 0);
  frame.set(mac, 6);
  frame.writeUInt16BE(ETHERTYPE_IPV6, 12);
  frame.writeUInt32BE(0x60000000, 14); // version 6, traffic class 0, flow label 0
  frame.writeUInt16BE(NA_LENGTH, 18);
  frame.writeUInt8(ICMPV6, 20);
  frame.writeUInt8(HOP_LIMIT, 21);
  frame.set(addressToBytes('ipv6', options.target), 22);
  frame.set(addressToBytes('ipv6', ALL_NODES), 38);
  frame.set(icmp, ETHERNET_HEADER + IPV6_HEADER);
  return frame;
}
