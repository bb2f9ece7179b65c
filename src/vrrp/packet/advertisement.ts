// Encoding and decoding of VRRP ADVERTISEMENT messages: VRRPv2 (RFC 3768 §5.1) and VRRPv3
// (RFC 5798 §5.1, RFC 9568 §5.1). Decoding never throws: malformed bytes give a Rejection.
import { addressLength, addressToBytes, bytesToAddress, type AddressFamily } from '../../core/address.js';
import { internetChecksum, pseudoHeader } from './checksum.js';
import type { Rejection } from './rejection.js';

export type VrrpVersion = 2 | 3;

/** Where advertisements go unless unicast peers are configured (RFC 5798 §5.1.1.2, §5.1.2.2). */
export const VRRP_MULTICAST_GROUP = { ipv4: '224.0.0.18', ipv6: 'ff02::12' } as const;

/** Type 1 is the only type defined (RFC 5798 §5.2.2). */
export const ADVERTISEMENT_TYPE = 1;
/** Fixed header before the addresses, both versions. */
const HEADER_LENGTH = 8;
/** VRRPv2 Authentication Data follows the addresses (RFC 3768 §5.3.10). */
const V2_AUTH_DATA_LENGTH = 8;

/** RFC 3768 §5.3.6 authentication types; 2 (IP AH) is obsolete but still decodes. */
export const AuthType = { none: 0, simplePassword: 1, ipAh: 2 } as const;

export interface AdvertisementV2 {
  readonly version: 2;
  readonly vrid: number;
  readonly priority: number;
  /** Adver Int in whole seconds (RFC 3768 §5.3.7). */
  readonly advertIntervalSeconds: number;
  readonly authType: number;
  /** The 8 octets of Authentication Data, as sent (RFC 3768 §5.3.10). */
  readonly authData: Uint8Array;
  readonly addresses: readonly string[];
}

export interface AdvertisementV3 {
  readonly version: 3;
  readonly vrid: number;
  readonly priority: number;
  /** Max Advertise Interval, 12 bits, in centiseconds (RFC 5798 §5.2.7). */
  readonly maxAdvertIntervalCs: number;
  readonly addresses: readonly string[];
}

export type Advertisement = AdvertisementV2 | AdvertisementV3;

/**
 * Which checksum a VRRPv3-over-IPv4 message carries. RFC 5798 §5.2.8 includes the pseudo-header
 * (keepalived, FRR and Wireshark do); RFC 9568 and some vendors leave it out for IPv4, which is
 * also how every VRRPv2 checksum is computed. IPv6 always includes it.
 */
export type ChecksumFlavour = 'pseudo-header' | 'message-only';

/** The IP-level facts the codec needs: the family, and the addresses of the pseudo-header. */
export interface IpContext {
  readonly family: AddressFamily;
  readonly source: string;
  readonly destination: string;
}

export type DecodeResult =
  | { readonly ok: true; readonly advertisement: Advertisement; readonly checksum: ChecksumFlavour }
  | { readonly ok: false; readonly rejection: Rejection };

export function advertisementIntervalMs(advertisement: Advertisement): number {
  return advertisement.version === 2
    ? advertisement.advertIntervalSeconds * 1000
    : advertisement.maxAdvertIntervalCs * 10;
}

export function messageLength(family: AddressFamily, version: VrrpVersion, addressCount: number): number {
  return HEADER_LENGTH + addressCount * addressLength(family) + (version === 2 ? V2_AUTH_DATA_LENGTH : 0);
}

/** Whether two advertisements encode to the same bytes (with the same IP context and checksum flavour). */
export function sameAdvertisement(a: Advertisement, b: Advertisement): boolean {
  if (a === b) return true;
  if (a.vrid !== b.vrid || a.priority !== b.priority || !sameList(a.addresses, b.addresses)) return false;
  if (a.version === 3) return b.version === 3 && a.maxAdvertIntervalCs === b.maxAdvertIntervalCs;
  return b.version === 2 && a.advertIntervalSeconds === b.advertIntervalSeconds && a.authType === b.authType && sameList(a.authData, b.authData);
}

function sameList<T>(a: ArrayLike<T>, b: ArrayLike<T>): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The bytes of the VRRP message, checksum filled; the IP header is the socket layer's job. */
export function encodeAdvertisement(
  advertisement: Advertisement,
  ip: IpContext,
  checksum: ChecksumFlavour = 'pseudo-header',
): Uint8Array {
  const length = messageLength(ip.family, advertisement.version, advertisement.addresses.length);
  const out = new Uint8Array(length);
  out[0] = (advertisement.version << 4) | ADVERTISEMENT_TYPE;
  out[1] = advertisement.vrid;
  out[2] = advertisement.priority;
  out[3] = advertisement.addresses.length;
  if (advertisement.version === 2) {
    out[4] = advertisement.authType;
    out[5] = advertisement.advertIntervalSeconds;
  } else {
    out[4] = (advertisement.maxAdvertIntervalCs >>> 8) & 0x0f;
    out[5] = advertisement.maxAdvertIntervalCs & 0xff;
  }
  let offset = HEADER_LENGTH;
  for (const address of advertisement.addresses) {
    const bytes = addressToBytes(ip.family, address);
    out.set(bytes, offset);
    offset += bytes.length;
  }
  if (advertisement.version === 2) out.set(advertisement.authData.subarray(0, V2_AUTH_DATA_LENGTH), offset);
  const sum = checksumOver(out, ip, advertisement.version, checksum);
  out[6] = sum >>> 8;
  out[7] = sum & 0xff;
  return out;
}

/**
 * The checksum over the message as it stands (checksum field included): the value to write when
 * the field is zero, and 0 when a received message verifies.
 */
function checksumOver(message: Uint8Array, ip: IpContext, version: VrrpVersion, flavour: ChecksumFlavour): number {
  // RFC 3768 §5.3.8: VRRPv2 sums the message alone. RFC 5798 §5.2.8: VRRPv3 adds the pseudo-header,
  // which IPv6 requires (RFC 8200 §8.1) and which IPv4 peers disagree on (see ChecksumFlavour).
  const withPseudoHeader = version === 3 && (ip.family === 'ipv6' || flavour === 'pseudo-header');
  const chunks = withPseudoHeader ? [pseudoHeader(ip.family, ip.source, ip.destination, message.length), message] : [message];
  return internetChecksum(chunks);
}

function reject(reason: Rejection['reason'], detail: string): DecodeResult {
  return { ok: false, rejection: { reason, detail } };
}

/**
 * Decodes the VRRP message (the IP payload). Trailing bytes beyond what the address count
 * implies are tolerated, as keepalived tolerates Ethernet padding; the checksum covers the
 * message itself.
 */
export function decodeAdvertisement(bytes: Uint8Array, ip: IpContext): DecodeResult {
  if (bytes.length < HEADER_LENGTH) {
    return reject('too-short', `${bytes.length} bytes, the VRRP header alone is ${HEADER_LENGTH}`);
  }
  const first = bytes[0] ?? 0;
  const version = first >>> 4;
  const type = first & 0x0f;
  if (version !== 2 && version !== 3) return reject('version', `version ${version}, expected 2 or 3`);
  if (version === 2 && ip.family === 'ipv6') return reject('version', 'VRRPv2 is defined for IPv4 only (RFC 3768)');
  if (type !== ADVERTISEMENT_TYPE) return reject('type', `type ${type}, only 1 (ADVERTISEMENT) is defined`);
  const vrid = bytes[1] ?? 0;
  if (vrid === 0) return reject('vrid', 'VRID 0 is not a valid virtual router (RFC 5798 §5.2.3)');
  const priority = bytes[2] ?? 0;
  const count = bytes[3] ?? 0;
  const length = messageLength(ip.family, version, count);
  if (bytes.length < length) {
    return reject('address-count', `${count} addresses need ${length} bytes, the message has ${bytes.length}`);
  }
  const message = bytes.subarray(0, length);
  const checksum = checksumFlavourOf(message, ip, version);
  if (checksum === undefined) return reject('checksum', `checksum 0x${hex16(message, 6)} does not verify`);

  const width = addressLength(ip.family);
  const addresses: string[] = [];
  for (let i = 0; i < count; i++) {
    const start = HEADER_LENGTH + i * width;
    addresses.push(bytesToAddress(ip.family, message.subarray(start, start + width)));
  }
  if (version === 2) {
    const authStart = HEADER_LENGTH + count * width;
    const advertisement: AdvertisementV2 = {
      version,
      vrid,
      priority,
      advertIntervalSeconds: message[5] ?? 0,
      authType: message[4] ?? 0,
      authData: message.slice(authStart, authStart + V2_AUTH_DATA_LENGTH),
      addresses,
    };
    return { ok: true, advertisement, checksum };
  }
  // RFC 5798 §5.2.6: the 4 reserved bits are ignored on receipt.
  const maxAdvertIntervalCs = (((message[4] ?? 0) & 0x0f) << 8) | (message[5] ?? 0);
  return { ok: true, advertisement: { version, vrid, priority, maxAdvertIntervalCs, addresses }, checksum };
}

/**
 * decodeAdvertisement with a memory of the last message it decoded: the same bytes from the same
 * source to the same destination decode to the same result, which is given again (read-only)
 * without verifying the checksum or making the address texts anew. A Backup hears the same
 * advertisement from its Master every interval: at 1000 instances, 1000 decodes a second, each
 * with its own objects (issue 16). One decoder per VRID and channel keeps them apart.
 */
export class AdvertisementDecoder {
  /** The last message's bytes (room reused while it fits), the first `length` of them. */
  private bytes = new Uint8Array(0);
  private length = -1;
  private family: AddressFamily | undefined;
  private source = '';
  private destination = '';
  private result: DecodeResult | undefined;

  decode(bytes: Uint8Array, ip: IpContext): DecodeResult {
    if (this.result !== undefined && this.same(bytes, ip)) return this.result;
    const result = decodeAdvertisement(bytes, ip);
    if (this.bytes.length < bytes.length) this.bytes = new Uint8Array(bytes.length);
    this.bytes.set(bytes);
    this.length = bytes.length;
    this.family = ip.family;
    this.source = ip.source;
    this.destination = ip.destination;
    this.result = result;
    return result;
  }

  private same(bytes: Uint8Array, ip: IpContext): boolean {
    if (bytes.length !== this.length || ip.source !== this.source || ip.destination !== this.destination || ip.family !== this.family) return false;
    const last = this.bytes;
    for (let i = 0; i < bytes.length; i++) if (bytes[i] !== last[i]) return false;
    return true;
  }
}

/** Which flavour verifies, trying the configured default (with pseudo-header) first. */
function checksumFlavourOf(message: Uint8Array, ip: IpContext, version: VrrpVersion): ChecksumFlavour | undefined {
  const verifies = (flavour: ChecksumFlavour): boolean => checksumOver(message, ip, version, flavour) === 0;
  if (version === 2) return verifies('message-only') ? 'message-only' : undefined;
  if (verifies('pseudo-header')) return 'pseudo-header';
  if (ip.family === 'ipv4' && verifies('message-only')) return 'message-only';
  return undefined;
}

function hex16(bytes: Uint8Array, offset: number): string {
  return (((bytes[offset] ?? 0) << 8) | (bytes[offset + 1] ?? 0)).toString(16).padStart(4, '0');
}
