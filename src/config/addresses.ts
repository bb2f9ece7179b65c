// Address text as configurations write it: family, canonical form, prefix, what kind of address.
// Canonical forms come from packet/address.ts (ip-address underneath), so a VIP written in the
// config compares equal to the same VIP decoded from an advertisement.
import { addressToBytes, canonicalAddress, type AddressFamily } from '../core/address.js';

export function familyOf(address: string): AddressFamily | undefined {
  if (canonicalAddress('ipv4', address)) return 'ipv4';
  if (canonicalAddress('ipv6', address)) return 'ipv6';
  return undefined;
}

export function maxPrefixLength(family: AddressFamily): 32 | 128 {
  return family === 'ipv4' ? 32 : 128;
}

export interface ParsedAddress {
  /** Canonical text (RFC 5952 for IPv6). */
  readonly address: string;
  readonly prefixLength: number;
  readonly family: AddressFamily;
}

/** Why a text is not an address; the caller knows the model path and the source position. */
export interface AddressParseError {
  readonly error: string;
}

/** `203.0.113.10/24` into its canonical parts; without `/N` the prefix is /32 or /128, as in keepalived. */
export function parseAddressWithPrefix(text: string): ParsedAddress | AddressParseError {
  const [address = '', prefix, extra] = text.split('/');
  if (extra !== undefined) return { error: `"${text}" is not an address: more than one "/"` };
  const family = familyOf(address);
  if (!family) return { error: `"${address}" is not an IPv4 or IPv6 address` };
  const max = maxPrefixLength(family);
  if (prefix === undefined) return { address: canonicalAddress(family, address) ?? address, prefixLength: max, family };
  const prefixLength = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  if (!(prefixLength <= max)) return { error: `prefix length "${prefix}" of ${address} is not valid: must be 0..${max}` };
  return { address: canonicalAddress(family, address) ?? address, prefixLength, family };
}

export function isAddressParseError(parsed: ParsedAddress | AddressParseError): parsed is AddressParseError {
  return 'error' in parsed;
}

/** What an address can be used for; only `unicast` can be a virtual address or a peer. */
export type AddressKind = 'unicast' | 'multicast' | 'unspecified' | 'loopback';

export function addressKind(family: AddressFamily, address: string): AddressKind {
  const bytes = addressToBytes(family, address);
  if (bytes.every((byte) => byte === 0)) return 'unspecified';
  if (family === 'ipv4') {
    const first = bytes[0] ?? 0;
    if (first >= 224 && first <= 239) return 'multicast'; // 224.0.0.0/4, RFC 5771
    if (first === 127) return 'loopback';
    return 'unicast';
  }
  if (bytes[0] === 0xff) return 'multicast'; // ff00::/8, RFC 4291 §2.7
  if (bytes.subarray(0, 15).every((byte) => byte === 0) && bytes[15] === 1) return 'loopback';
  return 'unicast';
}

/** IPv6 multicast of link-local scope (ffX2::/16, RFC 4291 §2.7): the only kind VRRP adverts may use. */
export function isLinkLocalMulticast6(address: string): boolean {
  const bytes = addressToBytes('ipv6', address);
  return bytes[0] === 0xff && ((bytes[1] ?? 0) & 0x0f) === 0x02;
}
