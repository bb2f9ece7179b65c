// rtnetlink link messages (struct ifinfomsg + IFLA_* attributes, rtnetlink(7)) for what vrrpd
// creates: the VMAC, a macvlan on the instance's interface (keepalived's use_vmac). Built here
// because the netlink package passes IFLA_LINKINFO through as raw bytes.
import { macBytes } from '../announce/gratuitous-arp.js';
import { attribute, u32 } from './attributes.js';

export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
const AF_UNSPEC = 0;
const IFF_UP = 0x1;
const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFLA_LINK = 5;
const IFLA_LINKINFO = 18;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const IFLA_MACVLAN_MODE = 1;
const NLA_F_NESTED = 0x8000;
/** Private mode: the macvlan talks to no other macvlan of its parent, only to the wire (keepalived's choice). */
export const MACVLAN_MODE_PRIVATE = 1;

function ifinfomsg(index: number, flags: number, change: number): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt8(AF_UNSPEC, 0);
  header.writeInt32LE(index, 4);
  header.writeUInt32LE(flags, 8);
  header.writeUInt32LE(change, 12);
  return header;
}

export interface MacvlanRequest {
  readonly name: string;
  readonly parentIndex: number;
  readonly mac: string;
}

/** RTM_NEWLINK body creating a private-mode macvlan, down (sysctls are set before it comes up). */
export function macvlanRequest(request: MacvlanRequest): Buffer {
  const info = Buffer.concat([
    attribute(IFLA_INFO_KIND, Buffer.from('macvlan\0')),
    attribute(IFLA_INFO_DATA | NLA_F_NESTED, attribute(IFLA_MACVLAN_MODE, u32(MACVLAN_MODE_PRIVATE))),
  ]);
  return Buffer.concat([
    ifinfomsg(0, 0, 0),
    attribute(IFLA_IFNAME, Buffer.from(`${request.name}\0`)),
    attribute(IFLA_LINK, u32(request.parentIndex)),
    attribute(IFLA_ADDRESS, macBytes(request.mac)),
    attribute(IFLA_LINKINFO | NLA_F_NESTED, info),
  ]);
}

/** RTM_NEWLINK body setting a link administratively up or down. */
export function linkStateRequest(index: number, up: boolean): Buffer {
  return ifinfomsg(index, up ? IFF_UP : 0, IFF_UP);
}

/** RTM_DELLINK body. */
export function deleteLinkRequest(index: number): Buffer {
  return ifinfomsg(index, 0, 0);
}

/** IFLA_INFO_KIND out of a raw IFLA_LINKINFO ("macvlan", "veth", ...). */
export function linkKind(linkinfo: Uint8Array | undefined): string | undefined {
  if (!linkinfo) return undefined;
  const buffer = Buffer.from(linkinfo.buffer, linkinfo.byteOffset, linkinfo.byteLength);
  for (let offset = 0; offset + 4 <= buffer.length; ) {
    const length = buffer.readUInt16LE(offset);
    const type = buffer.readUInt16LE(offset + 2) & 0x3fff;
    if (length < 4 || offset + length > buffer.length) break;
    if (type === IFLA_INFO_KIND) return buffer.subarray(offset + 4, offset + length).toString('utf8').replace(/\0.*$/s, '');
    offset += (length + 3) & ~3;
  }
  return undefined;
}
