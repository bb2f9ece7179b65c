// Address conversions against the ip-address package they replace on the hot path and at start:
// the IPv4 reader parses dotted quads itself and the IPv6 writer writes RFC 5952 text itself
// (issue 16), and must accept, refuse and write exactly what Address4 and Address6 do.
import { Address4, Address6 } from 'ip-address';
import { expect, test } from 'vitest';
import { addressToBytes, bytesToAddress, canonicalAddress } from '../../src/core/address.js';

function viaAddress4(text: string): number[] | 'refused' {
  try {
    return Array.from(new Address4(text).toArray());
  } catch {
    return 'refused';
  }
}

function viaOurs(text: string): number[] | 'refused' {
  try {
    return Array.from(addressToBytes('ipv4', text));
  } catch {
    return 'refused';
  }
}

// Text only: these strings are parsed, never sent anywhere (some are outside the documentation ranges on purpose).
test.each(['192.0.2.10', '0.0.0.0', '255.255.255.255', '198.51.100.1', '1.2.3.4/24', '256.1.1.1', '01.2.3.4', '10.0.0.00', '1.2.3', '1.2.3.4.5', '1..2.3', 'a.b.c.d', '', ' 1.2.3.4', '1.2.3.4 ', '-1.2.3.4', '1.2.3.1000'])(
  'IPv4 %j reads as Address4 reads it',
  (text) => {
    expect(viaOurs(text)).toEqual(viaAddress4(text));
    const canonical = Address4.isValid(text) && !text.includes('/') ? new Address4(text).correctForm() : undefined;
    expect(canonicalAddress('ipv4', text)).toBe(canonical);
  },
);

// Text only, as above.
test.each([
  '2001:db8::1', '2001:DB8:0:0:0:0:0:1', 'fe80::1', '::', '::1', '1::', 'ff02::12', '2001:db8::/32', 'fe80::1%eth0', '::ffff:192.0.2.1', 'eth0', '192.0.2.1', '',
  '2001:db8::1::2', ':1:2:3:4:5:6:7', '1:2:3:4:5:6:7:', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8::', '1::2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7',
  '1:2:3:4:5:6:7:8:9', '12345::1', '2001:db8::g', ':', ':::', '2001:0db8:0000:0000:0000:0000:0000:0001', '0:0:0:0:0:0:0:0', ' ::1', '::1 ', '+1::', '0x1::',
])('IPv6 %j is canonical as Address6 says, and reads as it reads', (text) => {
  const valid = Address6.isValid(text) && !text.includes('/') && !text.includes('%');
  expect(canonicalAddress('ipv6', text)).toBe(valid ? new Address6(text).correctForm() : undefined);
  if (valid) expect(Array.from(addressToBytes('ipv6', text))).toEqual(new Address6(text).toUnsignedByteArray());
});

test('IPv6 bytes are written as Address6 writes them (zero runs of every length and place)', () => {
  // Each of the 256 patterns of zero and non-zero groups, with two group values.
  for (let pattern = 0; pattern < 256; pattern++) {
    for (const value of [0x1, 0xdb8]) {
      const bytes = new Uint8Array(16);
      for (let g = 0; g < 8; g++) {
        if ((pattern & (1 << g)) === 0) continue;
        bytes[2 * g] = value >> 8;
        bytes[2 * g + 1] = value & 0xff;
      }
      expect(bytesToAddress('ipv6', bytes)).toBe(Address6.fromUnsignedByteArray(Array.from(bytes)).correctForm());
    }
  }
  const mapped = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1);
  expect(bytesToAddress('ipv6', mapped)).toBe(Address6.fromUnsignedByteArray(Array.from(mapped)).correctForm());
});

test('every byte value survives text and back', () => {
  for (let b = 0; b < 256; b++) {
    const bytes = Uint8Array.of(b, 255 - b, (b * 7) & 255, 0);
    expect(addressToBytes('ipv4', bytesToAddress('ipv4', bytes))).toEqual(bytes);
  }
});

test('IPv6 text of hexadecimal groups and colons, 5,000 of them at random: read and written as Address6 does', () => {
  // A fixed sequence (xorshift): the same strings every run.
  let state = 0x2001db8;
  const next = (n: number): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
  const pieces = ['0', '1', 'a', 'F', 'db8', '0000', 'ffff', '12345', ':', '::', ':'];
  for (let i = 0; i < 5000; i++) {
    let text = '';
    for (let n = next(16); n >= 0; n--) text += pieces[next(pieces.length)];
    const valid = Address6.isValid(text);
    expect(canonicalAddress('ipv6', text), text).toBe(valid ? new Address6(text).correctForm() : undefined);
    if (valid) expect(Array.from(addressToBytes('ipv6', text)), text).toEqual(new Address6(text).toUnsignedByteArray());
  }
});
