// rtnetlink route and rule messages (struct rtmsg + RTA_*, struct fib_rule_hdr + FRA_*; see
// rtnetlink(7) and linux/fib_rules.h), built and parsed here: vrrpd tags what it adds with its
// own rtm_protocol / FRA_PROTOCOL, and deletes name that protocol, so the kernel itself refuses
// to remove a route or rule of someone else that happens to look the same.
import { addressToBytes, type AddressFamily } from '../../core/address.js';
import { addressValue, attribute, readAttributes, textValue, u32 } from './attributes.js';
import { VRRPD_ADDRESS_PROTOCOL } from './address-messages.js';

export const RTM_NEWROUTE = 24;
export const RTM_DELROUTE = 25;
export const RTM_GETROUTE = 26;
export const RTM_NEWRULE = 32;
export const RTM_DELRULE = 33;
export const RTM_GETRULE = 34;

/** The protocol vrrpd's routes and rules carry (the same value as its addresses' IFA_PROTO). */
export const VRRPD_ROUTE_PROTOCOL = VRRPD_ADDRESS_PROTOCOL;

const AF_INET = 2;
const AF_INET6 = 10;
const RTA_DST = 1;
const RTA_OIF = 4;
const RTA_GATEWAY = 5;
const RTA_PRIORITY = 6;
const RTA_PREFSRC = 7;
const RTA_TABLE = 15;
const FRA_DST = 1;
const FRA_SRC = 2;
const FRA_IIFNAME = 3;
const FRA_PRIORITY = 6;
const FRA_FWMARK = 10;
const FRA_TABLE = 15;
const FRA_FWMASK = 16;
const FRA_OIFNAME = 17;
const FRA_PROTOCOL = 21;
/** rtm_table / fib_rule_hdr.table for tables above 255, whose number goes in RTA_TABLE. */
const RT_TABLE_COMPAT = 252;
const RT_SCOPE_UNIVERSE = 0;
const RT_SCOPE_LINK = 253;
/** In a delete: any scope. */
const RT_SCOPE_NOWHERE = 255;
const RTNH_F_ONLINK = 4;
const FR_ACT_TO_TBL = 1;
const FIB_RULE_INVERT = 2;

export const ROUTE_TYPES = { unicast: 1, blackhole: 6, unreachable: 7, prohibit: 8 } as const;

export interface RouteRequest {
  readonly family: AddressFamily;
  /** Network address; ignored when prefixLength is 0. */
  readonly destination: string;
  readonly prefixLength: number;
  readonly table: number;
  readonly type: number;
  /** rt_scope; undefined: link for a unicast route without gateway, else universe (as `ip route` does). */
  readonly scope?: number;
  readonly protocol: number;
  readonly onlink?: boolean;
  readonly gateway?: string;
  readonly source?: string;
  readonly outputInterfaceIndex?: number;
  readonly metric?: number;
}

export interface RuleRequest {
  readonly family: AddressFamily;
  readonly from?: { readonly address: string; readonly prefixLength: number };
  readonly to?: { readonly address: string; readonly prefixLength: number };
  readonly table: number;
  readonly priority?: number;
  readonly inputInterface?: string;
  readonly outputInterface?: string;
  readonly fwmark?: number;
  readonly fwmask?: number;
  readonly invert?: boolean;
  readonly protocol: number;
}

const familyCode = (family: AddressFamily): number => (family === 'ipv4' ? AF_INET : AF_INET6);

/** The body of RTM_NEWROUTE, or of RTM_DELROUTE (any scope; the protocol must match). */
export function routeRequest(request: RouteRequest, type: typeof RTM_NEWROUTE | typeof RTM_DELROUTE): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt8(familyCode(request.family), 0);
  header.writeUInt8(request.prefixLength, 1);
  header.writeUInt8(request.table > 255 ? RT_TABLE_COMPAT : request.table, 4);
  header.writeUInt8(request.protocol, 5);
  const defaultScope = request.type === ROUTE_TYPES.unicast && request.gateway === undefined ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
  header.writeUInt8(type === RTM_DELROUTE ? RT_SCOPE_NOWHERE : (request.scope ?? defaultScope), 6);
  header.writeUInt8(request.type, 7);
  header.writeUInt32LE(request.onlink ? RTNH_F_ONLINK : 0, 8);
  const parts = [header, attribute(RTA_TABLE, u32(request.table))];
  if (request.prefixLength > 0) parts.push(attribute(RTA_DST, addressToBytes(request.family, request.destination)));
  if (request.gateway !== undefined) parts.push(attribute(RTA_GATEWAY, addressToBytes(request.family, request.gateway)));
  if (request.source !== undefined && type === RTM_NEWROUTE) parts.push(attribute(RTA_PREFSRC, addressToBytes(request.family, request.source)));
  if (request.outputInterfaceIndex !== undefined) parts.push(attribute(RTA_OIF, u32(request.outputInterfaceIndex)));
  if (request.metric !== undefined) parts.push(attribute(RTA_PRIORITY, u32(request.metric)));
  return Buffer.concat(parts);
}

/**
 * The body of an RTM_GETROUTE lookup of one address (without NLM_F_DUMP): the kernel answers with
 * the route it would use, as `ip route get ADDRESS` asks it (rtnetlink(7)).
 */
export function routeLookupRequest(family: AddressFamily, address: string): Buffer {
  const header = Buffer.alloc(12);
  const bytes = addressToBytes(family, address);
  header.writeUInt8(familyCode(family), 0);
  header.writeUInt8(bytes.length * 8, 1);
  return Buffer.concat([header, attribute(RTA_DST, bytes)]);
}

/** The body of RTM_NEWRULE / RTM_DELRULE: the same selectors either way. */
export function ruleRequest(request: RuleRequest): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt8(familyCode(request.family), 0);
  header.writeUInt8(request.to?.prefixLength ?? 0, 1);
  header.writeUInt8(request.from?.prefixLength ?? 0, 2);
  header.writeUInt8(request.table > 255 ? RT_TABLE_COMPAT : request.table, 4);
  header.writeUInt8(FR_ACT_TO_TBL, 7);
  header.writeUInt32LE(request.invert ? FIB_RULE_INVERT : 0, 8);
  const parts = [header, attribute(FRA_TABLE, u32(request.table)), attribute(FRA_PROTOCOL, Uint8Array.of(request.protocol))];
  if (request.from !== undefined) parts.push(attribute(FRA_SRC, addressToBytes(request.family, request.from.address)));
  if (request.to !== undefined) parts.push(attribute(FRA_DST, addressToBytes(request.family, request.to.address)));
  if (request.priority !== undefined) parts.push(attribute(FRA_PRIORITY, u32(request.priority)));
  if (request.inputInterface !== undefined) parts.push(attribute(FRA_IIFNAME, Buffer.from(`${request.inputInterface}\0`)));
  if (request.outputInterface !== undefined) parts.push(attribute(FRA_OIFNAME, Buffer.from(`${request.outputInterface}\0`)));
  if (request.fwmark !== undefined) parts.push(attribute(FRA_FWMARK, u32(request.fwmark)));
  if (request.fwmask !== undefined) parts.push(attribute(FRA_FWMASK, u32(request.fwmask)));
  return Buffer.concat(parts);
}

/** The header fields and attributes of a dumped route or rule message; undefined for other families. */
function readMessage(data: Uint8Array): { family: AddressFamily; header: Buffer; attributes: Map<number, Buffer> } | undefined {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buffer.length < 12) return undefined;
  const code = buffer.readUInt8(0);
  const family: AddressFamily | undefined = code === AF_INET ? 'ipv4' : code === AF_INET6 ? 'ipv6' : undefined;
  if (!family) return undefined;
  return { family, header: buffer.subarray(0, 12), attributes: readAttributes(buffer, 12) };
}

function number(value: Buffer | undefined): number | undefined {
  return value && value.length >= 4 ? value.readUInt32LE(0) : undefined;
}

/** A dumped route as a request that deletes exactly it. */
export function parseRouteMessage(data: Uint8Array): RouteRequest | undefined {
  const message = readMessage(data);
  if (!message) return undefined;
  const { family, header, attributes } = message;
  const prefixLength = header.readUInt8(1);
  const gateway = addressValue(family, attributes.get(RTA_GATEWAY));
  const oif = number(attributes.get(RTA_OIF));
  const metric = number(attributes.get(RTA_PRIORITY));
  return {
    family,
    destination: addressValue(family, attributes.get(RTA_DST)) ?? (family === 'ipv4' ? '0.0.0.0' : '::'),
    prefixLength,
    table: number(attributes.get(RTA_TABLE)) ?? header.readUInt8(4),
    protocol: header.readUInt8(5),
    scope: header.readUInt8(6),
    type: header.readUInt8(7),
    ...(gateway !== undefined ? { gateway } : {}),
    ...(oif !== undefined ? { outputInterfaceIndex: oif } : {}),
    ...(metric !== undefined ? { metric } : {}),
  };
}

/** A dumped rule as a request that deletes exactly it. */
export function parseRuleMessage(data: Uint8Array): RuleRequest | undefined {
  const message = readMessage(data);
  if (!message) return undefined;
  const { family, header, attributes } = message;
  const from = addressValue(family, attributes.get(FRA_SRC));
  const to = addressValue(family, attributes.get(FRA_DST));
  const priority = number(attributes.get(FRA_PRIORITY));
  const iif = textValue(attributes.get(FRA_IIFNAME));
  const oif = textValue(attributes.get(FRA_OIFNAME));
  const fwmark = number(attributes.get(FRA_FWMARK));
  const fwmask = number(attributes.get(FRA_FWMASK));
  const protocol = attributes.get(FRA_PROTOCOL);
  return {
    family,
    ...(from !== undefined ? { from: { address: from, prefixLength: header.readUInt8(2) } } : {}),
    ...(to !== undefined ? { to: { address: to, prefixLength: header.readUInt8(1) } } : {}),
    table: number(attributes.get(FRA_TABLE)) ?? header.readUInt8(4),
    ...(priority !== undefined ? { priority } : {}),
    ...(iif !== undefined ? { inputInterface: iif } : {}),
    ...(oif !== undefined ? { outputInterface: oif } : {}),
    ...(fwmark !== undefined ? { fwmark } : {}),
    ...(fwmask !== undefined ? { fwmask } : {}),
    ...((header.readUInt32LE(8) & FIB_RULE_INVERT) !== 0 ? { invert: true } : {}),
    protocol: protocol && protocol.length >= 1 ? protocol.readUInt8(0) : 0,
  };
}
