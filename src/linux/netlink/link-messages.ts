// rtnetlink link messages (struct ifinfomsg + IFLA_* attributes, rtnetlink(7)): what vrrpd
// creates (the VMAC, a macvlan on the instance's interface, keepalived's use_vmac) and what it
// reads of the links the kernel dumps or notifies.
import { macBytes } from '../announce/gratuitous-arp.js';
import { attribute, readAttributes, textValue, u32 } from './attributes.js';

export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
const AF_UNSPEC = 0;
const IFF_UP = 0x1;
const IFF_LOWER_UP = 0x10000;
const IFINFOMSG_LENGTH = 16;
const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFLA_LINK = 5;
const IFLA_LINKINFO = 18;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const IFLA_MACVLAN_MODE = 1;
const NLA_F_NESTED = 0x8000;
/** Private mode: the macvlan talks to no other macvlan of its parent, only to the wire (keepalived's choice). */
export const MACVLAN_MODE_PRIVATE = 1;

export interface LinkInfo {
  readonly index: number;
  readonly name: string;
  readonly mac: string;
  /** Administratively up and with carrier (IFF_UP and IFF_LOWER_UP). */
  readonly up: boolean;
  readonly mtu: number;
  /** IFLA_INFO_KIND: "macvlan", "veth", ...; undefined for plain devices. */
  readonly kind?: string;
  /** IFLA_LINK: the parent of a macvlan or VLAN. */
  readonly parentIndex?: number;
}

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

/** RTM_GETLINK body asking for every link (a dump): an ifinfomsg of AF_UNSPEC. */
export function linkDumpRequest(): Buffer {
  return ifinfomsg(0, 0, 0);
}

/**
 * What vrrpd reads of an RTM_NEWLINK (dumped or notified): the ifinfomsg's index and flags and
 * five attributes, the rest skipped. Parsed here rather than by the netlink package, which decodes
 * every attribute (the link's 64-bit statistics as BigInts among them): its parse of the links
 * dumped before an owner's first advertisement cost 5-15 ms of a start's CPU (issue 16).
 */
export function parseLinkMessage(data: Uint8Array): LinkInfo | undefined {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buffer.length < IFINFOMSG_LENGTH) return undefined;
  const flags = buffer.readUInt32LE(8);
  const attributes = readAttributes(buffer, IFINFOMSG_LENGTH);
  const mtu = attributes.get(IFLA_MTU);
  const parent = attributes.get(IFLA_LINK);
  const kind = linkKind(attributes.get(IFLA_LINKINFO));
  return {
    index: buffer.readInt32LE(4),
    name: textValue(attributes.get(IFLA_IFNAME)) ?? '',
    mac: formatMac(attributes.get(IFLA_ADDRESS)),
    up: (flags & IFF_UP) !== 0 && (flags & IFF_LOWER_UP) !== 0,
    mtu: mtu && mtu.length >= 4 ? mtu.readUInt32LE(0) : 0,
    ...(kind !== undefined ? { kind } : {}),
    ...(parent && parent.length >= 4 ? { parentIndex: parent.readUInt32LE(0) } : {}),
  };
}

function formatMac(bytes: Uint8Array | undefined): string {
  if (!bytes) return '';
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(':');
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
