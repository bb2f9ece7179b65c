// IP address conversions used by the codec and the protocol core. Addresses travel through
// vrrpd as canonical text (RFC 5952 form for IPv6) so that logs, configs and packets agree.
import { createRequire } from 'node:module';

// ip-address, loaded at its first use: at load it builds its tables of special IPv6 ranges (a
// hundred-odd addresses parsed by regular expressions, ~4 ms of a daemon's start before its first
// advertisement on a 2-core machine, issue 16). IPv4 addresses, IPv6 bytes to text and IPv6 text
// of hexadecimal groups need none of it; other IPv6 text (an embedded dotted quad) does.
let ipAddress: typeof import('ip-address') | undefined;
function ip(): typeof import('ip-address') {
  return (ipAddress ??= createRequire(import.meta.url)('ip-address') as typeof import('ip-address'));
}

export type AddressFamily = 'ipv4' | 'ipv6';

/** Bytes of an address in network order; throws on malformed input (callers validate first). */
export function addressToBytes(family: AddressFamily, address: string): Uint8Array {
  if (family === 'ipv4') return dottedQuadBytes(address) ?? Uint8Array.from(new (ip().Address4)(address).toArray());
  return ipv6Bytes(address) ?? Uint8Array.from(new (ip().Address6)(address).toUnsignedByteArray());
}

/**
 * The bytes of IPv6 text made of hexadecimal groups (1-4 digits, eight of them or fewer around one
 * "::" standing for at least one), which Address6 reads the same; anything else (an embedded
 * dotted quad, a prefix length, a zone, a malformed string) is undefined and left to Address6.
 * The configuration's default VRRP group (ff02::12) is validated at every start.
 */
function ipv6Bytes(address: string): Uint8Array | undefined {
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const head = hexGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? hexGroups(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  const elided = 8 - head.length - tail.length;
  if (halves.length === 2 ? elided < 1 : elided !== 0) return undefined;
  const out = new Uint8Array(16);
  [...head, ...new Array<number>(elided).fill(0), ...tail].forEach((group, i) => {
    out[2 * i] = group >> 8;
    out[2 * i + 1] = group & 0xff;
  });
  return out;
}

/** "1:db8:ff" as numbers; "" as none; undefined when a group is not 1-4 hexadecimal digits. */
function hexGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const groups: number[] = [];
  for (const group of text.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    groups.push(parseInt(group, 16));
  }
  return groups;
}

/**
 * The canonical dotted quad (what bytesToAddress makes, and what every IPv4 address carries
 * through vrrpd) read without ip-address's regular expressions: the advertisement codec converts
 * two or three addresses per packet, 1000 packets a second at 1000 instances (issue 16). Anything
 * else (leading zeros, a prefix length, a malformed string) is undefined and left to Address4.
 */
function dottedQuadBytes(address: string): Uint8Array | undefined {
  const out = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= address.length; i++) {
    const code = i < address.length ? address.charCodeAt(i) : 0x2e;
    if (code === 0x2e) {
      if (digits === 0 || part > 3) return undefined;
      out[part++] = value;
      value = 0;
      digits = 0;
    } else if (code >= 0x30 && code <= 0x39) {
      // "0" alone, never a leading zero (Address4 refuses those), at most 255.
      if (digits > 0 && value === 0) return undefined;
      value = value * 10 + (code - 0x30);
      if (++digits > 3 || value > 255) return undefined;
    } else {
      return undefined;
    }
  }
  return part === 4 ? out : undefined;
}

export function bytesToAddress(family: AddressFamily, bytes: Uint8Array): string {
  if (family === 'ipv4') return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  return ipv6Text(bytes);
}

/**
 * RFC 5952 §4 text of 16 bytes, as ip-address's correctForm writes it: lowercase groups without
 * leading zeros, the longest run of two or more zero groups (the first of equal ones) as "::".
 */
function ipv6Text(bytes: Uint8Array): string {
  const groups: string[] = [];
  let bestStart = -1;
  let bestLength = 1;
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    const group = ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0);
    groups.push(group.toString(16));
    if (group !== 0) {
      runStart = -1;
      continue;
    }
    if (runStart < 0) runStart = i;
    if (i - runStart + 1 > bestLength) {
      bestStart = runStart;
      bestLength = i - runStart + 1;
    }
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`;
}

export function addressLength(family: AddressFamily): 4 | 16 {
  return family === 'ipv4' ? 4 : 16;
}

/** The canonical text of an address, or undefined when it is not an address of that family. */
export function canonicalAddress(family: AddressFamily, address: string): string | undefined {
  // A dotted quad dottedQuadBytes reads is its own canonical form; only digits and dots can be
  // an IPv4 address, only text with a colon an IPv6 one (ip-address is not loaded for the rest).
  if (family === 'ipv4') {
    if (dottedQuadBytes(address)) return address;
    if (!/^[0-9.]+$/.test(address)) return undefined;
    const { Address4 } = ip();
    return Address4.isValid(address) ? new Address4(address).correctForm() : undefined;
  }
  if (!address.includes(':') || address.includes('/') || address.includes('%')) return undefined;
  const bytes = ipv6Bytes(address);
  if (bytes) return ipv6Text(bytes);
  const { Address6 } = ip();
  return Address6.isValid(address) ? new Address6(address).correctForm() : undefined;
}

/**
 * Compares two addresses as unsigned integers in network byte order, the order RFC 5798
 * §6.4.3 uses to break a priority tie between Masters. Negative when a < b.
 */
export function compareAddresses(family: AddressFamily, a: string, b: string): number {
  const x = addressToBytes(family, a);
  const y = addressToBytes(family, b);
  for (let i = 0; i < x.length; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
