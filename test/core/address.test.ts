// Address conversions against the ip-address package they replace on the hot path: the IPv4
// reader parses dotted quads itself (issue 16) and must accept and refuse exactly what Address4 does.
import { Address4 } from 'ip-address';
import { expect, test } from 'vitest';
import { addressToBytes, bytesToAddress } from '../../src/core/address.js';

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
  },
);

test('every byte value survives text and back', () => {
  for (let b = 0; b < 256; b++) {
    const bytes = Uint8Array.of(b, 255 - b, (b * 7) & 255, 0);
    expect(addressToBytes('ipv4', bytesToAddress('ipv4', bytes))).toEqual(bytes);
  }
});
