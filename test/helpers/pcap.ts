// A minimal pcap writer (LINKTYPE_RAW: each record is an IP packet), for feeding vrrpd's own
// packets to tshark.
import { internetChecksum } from '../../src/vrrp/packet/checksum.js';
import { addressToBytes, type AddressFamily } from '../../src/core/address.js';

const LINKTYPE_RAW = 101;
const VRRP = 112;

/** A whole IP packet around a VRRP message, TTL / hop limit as given (255 for VRRP). */
export function ipPacket(family: AddressFamily, source: string, destination: string, payload: Uint8Array, ttl = 255): Uint8Array {
  const src = addressToBytes(family, source);
  const dst = addressToBytes(family, destination);
  if (family === 'ipv4') {
    const header = new Uint8Array(20);
    const total = 20 + payload.length;
    header.set([0x45, 0xc0, total >> 8, total & 0xff, 0, 0, 0, 0, ttl, VRRP, 0, 0]);
    header.set(src, 12);
    header.set(dst, 16);
    const sum = internetChecksum([header]);
    header[10] = sum >> 8;
    header[11] = sum & 0xff;
    return Uint8Array.from([...header, ...payload]);
  }
  const header = new Uint8Array(40);
  header.set([0x60, 0, 0, 0, payload.length >> 8, payload.length & 0xff, VRRP, ttl]);
  header.set(src, 8);
  header.set(dst, 24);
  return Uint8Array.from([...header, ...payload]);
}

export function pcapFile(packets: readonly Uint8Array[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(LINKTYPE_RAW, 20);
  const records = packets.map((packet, i) => {
    const record = Buffer.alloc(16);
    record.writeUInt32LE(1_700_000_000 + i, 0);
    record.writeUInt32LE(packet.length, 8);
    record.writeUInt32LE(packet.length, 12);
    return Buffer.concat([record, Buffer.from(packet)]);
  });
  return Buffer.concat([header, ...records]);
}
