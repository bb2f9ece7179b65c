// rtnetlink address messages (struct ifaddrmsg + IFA_* attributes, rtnetlink(7)), built and parsed
// here because vrrpd tags its addresses with IFA_PROTO, which the netlink package does not parse.
import { addressToBytes, type AddressFamily } from '../../core/address.js';
import { addressValue, attribute, readAttributes, textValue, u32 } from './attributes.js';

export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;
export const RTM_GETADDR = 22;
const AF_INET = 2;
const AF_INET6 = 10;
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_LABEL = 3;
const IFA_BROADCAST = 4;
const IFA_FLAGS = 8;
const IFA_PROTO = 11;
/** IFA_F_SECONDARY: not the interface's primary address of its subnet. */
export const IFA_F_SECONDARY = 0x01;
/** IFA_F_NODAD: keepalived adds IPv6 VIPs without duplicate address detection. */
export const IFA_F_NODAD = 0x02;
/** IFA_F_DADFAILED: another host on the link has the address. */
export const IFA_F_DADFAILED = 0x08;
/** IFA_F_TENTATIVE: duplicate address detection still running; the address cannot be bound. */
export const IFA_F_TENTATIVE = 0x40;

/**
 * The IFA_PROTO value vrrpd puts on every address it adds (Linux ≥ 6.1), so a later run can tell
 * them apart from the host's own after a crash. 0..3 are the kernel's (rt_addrprotos); this value
 * spells 'v' and is not used by other known software.
 */
export const VRRPD_ADDRESS_PROTOCOL = 0x76;

const SCOPES: Record<string, number> = { global: 0, universe: 0, site: 200, link: 253, host: 254, nowhere: 255 };

export interface AddressMessage {
  readonly family: AddressFamily;
  readonly prefixLength: number;
  readonly flags: number;
  readonly scope: number;
  readonly interfaceIndex: number;
  readonly address: string;
  readonly label?: string;
  readonly broadcast?: string;
  readonly protocol?: number;
}

export interface AddressRequest {
  readonly family: AddressFamily;
  readonly address: string;
  readonly prefixLength: number;
  readonly interfaceIndex: number;
  readonly label?: string;
  readonly scope?: string;
  readonly broadcast?: string;
  /** Tag the address as vrrpd's (IFA_PROTO) so a later run removes it after a crash. Default true. */
  readonly tagged?: boolean;
}

export function scopeNumber(scope: string | undefined): number | undefined {
  if (scope === undefined) return 0;
  if (/^\d+$/.test(scope) && Number(scope) <= 255) return Number(scope);
  return SCOPES[scope];
}

/** The body of an RTM_NEWADDR / RTM_DELADDR request for one of vrrpd's addresses. */
export function addressRequest(request: AddressRequest, type: typeof RTM_NEWADDR | typeof RTM_DELADDR): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt8(request.family === 'ipv4' ? AF_INET : AF_INET6, 0);
  header.writeUInt8(request.prefixLength, 1);
  header.writeUInt8(request.family === 'ipv6' ? IFA_F_NODAD : 0, 2);
  header.writeUInt8(scopeNumber(request.scope) ?? 0, 3);
  header.writeUInt32LE(request.interfaceIndex, 4);
  const bytes = addressToBytes(request.family, request.address);
  const parts = [header, attribute(IFA_LOCAL, bytes), attribute(IFA_ADDRESS, bytes)];
  if (type === RTM_NEWADDR) {
    if (request.label !== undefined) parts.push(attribute(IFA_LABEL, Buffer.from(`${request.label}\0`)));
    if (request.broadcast !== undefined) parts.push(attribute(IFA_BROADCAST, addressToBytes(request.family, request.broadcast)));
    if (request.family === 'ipv6') parts.push(attribute(IFA_FLAGS, u32(IFA_F_NODAD)));
    if (request.tagged !== false) parts.push(attribute(IFA_PROTO, Uint8Array.of(VRRPD_ADDRESS_PROTOCOL)));
  }
  return Buffer.concat(parts);
}

/** Parses the body of an RTM_NEWADDR / RTM_DELADDR message; undefined for families we ignore. */
export function parseAddressMessage(data: Uint8Array): AddressMessage | undefined {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buffer.length < 8) return undefined;
  const familyCode = buffer.readUInt8(0);
  const family: AddressFamily | undefined = familyCode === AF_INET ? 'ipv4' : familyCode === AF_INET6 ? 'ipv6' : undefined;
  if (!family) return undefined;
  const attributes = readAttributes(buffer, 8);
  const local = addressValue(family, attributes.get(IFA_LOCAL));
  const address = addressValue(family, attributes.get(IFA_ADDRESS));
  const label = textValue(attributes.get(IFA_LABEL));
  const broadcast = addressValue(family, attributes.get(IFA_BROADCAST));
  const extendedFlags = attributes.get(IFA_FLAGS);
  const flags = extendedFlags && extendedFlags.length >= 4 ? extendedFlags.readUInt32LE(0) : buffer.readUInt8(2);
  const proto = attributes.get(IFA_PROTO);
  const protocol = proto && proto.length >= 1 ? proto.readUInt8(0) : undefined;
  // IFA_LOCAL is the interface's own address; IFA_ADDRESS the peer on point-to-point links.
  const own = local ?? address;
  if (own === undefined) return undefined;
  return {
    family,
    prefixLength: buffer.readUInt8(1),
    flags,
    scope: buffer.readUInt8(3),
    interfaceIndex: buffer.readUInt32LE(4),
    address: own,
    ...(label !== undefined ? { label } : {}),
    ...(broadcast !== undefined ? { broadcast } : {}),
    ...(protocol !== undefined ? { protocol } : {}),
  };
}
