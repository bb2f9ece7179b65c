// Properties of the codec over arbitrary advertisements and arbitrary bytes: round trips are exact,
// and decoding never throws. About 120k cases in all.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decodeAdvertisement, encodeAdvertisement, type Advertisement, type ChecksumFlavour, type IpContext } from '../../../src/vrrp/packet/advertisement.js';

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((parts) => parts.join('.'));
const ipv6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((groups) => {
  // Canonical (RFC 5952) text, as the decoder produces it.
  const text = groups.map((g) => g.toString(16)).join(':');
  return new URL(`http://[${text}]/`).hostname.slice(1, -1);
});
const vrid = fc.integer({ min: 1, max: 255 });
const priority = fc.nat(255);

const v2Case = fc.record({
  advertisement: fc.record({
    version: fc.constant(2 as const),
    vrid,
    priority,
    advertIntervalSeconds: fc.nat(255),
    authType: fc.constantFrom(0, 1, 2),
    authData: fc.uint8Array({ minLength: 8, maxLength: 8 }),
    addresses: fc.array(ipv4, { maxLength: 20 }),
  }),
  ip: fc.record({ family: fc.constant('ipv4' as const), source: ipv4, destination: ipv4 }),
  flavour: fc.constant<ChecksumFlavour>('message-only'),
});
const v3v4Case = fc.record({
  advertisement: fc.record({ version: fc.constant(3 as const), vrid, priority, maxAdvertIntervalCs: fc.nat(4095), addresses: fc.array(ipv4, { maxLength: 20 }) }),
  ip: fc.record({ family: fc.constant('ipv4' as const), source: ipv4, destination: ipv4 }),
  flavour: fc.constantFrom<ChecksumFlavour>('pseudo-header', 'message-only'),
});
const v3v6Case = fc.record({
  advertisement: fc.record({ version: fc.constant(3 as const), vrid, priority, maxAdvertIntervalCs: fc.nat(4095), addresses: fc.array(ipv6, { maxLength: 10 }) }),
  ip: fc.record({ family: fc.constant('ipv6' as const), source: ipv6, destination: ipv6 }),
  flavour: fc.constant<ChecksumFlavour>('pseudo-header'),
});
const anyCase = fc.oneof(v2Case, v3v4Case, v3v6Case);

describe('codec properties', () => {
  test('decode(encode(x)) is x, with the flavour it was sent with', () => {
    fc.assert(
      fc.property(anyCase, ({ advertisement, ip, flavour }) => {
        const decoded = decodeAdvertisement(encodeAdvertisement(advertisement as Advertisement, ip, flavour), ip);
        expect(decoded).toEqual({ ok: true, advertisement, checksum: expect.any(String) });
        // A v3-over-IPv4 message-only checksum can happen to verify with the pseudo-header too
        // only if the pseudo-header sums to zero; otherwise the flavour is reported exactly.
        if (decoded.ok && decoded.checksum !== flavour) expect(ip.family).toBe('ipv4');
      }),
      { numRuns: 20_000 },
    );
  });

  test('random bytes never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom<IpContext>(
        { family: 'ipv4', source: '192.0.2.1', destination: '224.0.0.18' },
        { family: 'ipv6', source: 'fe80::1', destination: 'ff02::12' },
      ), (bytes, ip) => {
        const result = decodeAdvertisement(bytes, ip);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 50_000 },
    );
  });

  test('any single-byte change of a valid message is rejected or decodes, never throws', () => {
    fc.assert(
      fc.property(anyCase, fc.nat(), fc.nat(255), ({ advertisement, ip, flavour }, position, value) => {
        const bytes = encodeAdvertisement(advertisement as Advertisement, ip, flavour);
        const index = position % bytes.length;
        const changed = bytes[index] !== value;
        bytes[index] = value;
        const result = decodeAdvertisement(bytes, ip);
        // The Internet checksum catches every single-byte change of a message of fixed length
        // under the flavour it was computed with. Two ways remain for a changed message to pass,
        // each about 1 in 65536: a changed address count (byte 3) changes what the sum covers;
        // and VRRPv3 over IPv4 accepts both flavours, so the other flavour can verify by chance
        // (the price of interoperating with both camps; it is counted per flavour).
        if (changed && result.ok) {
          const otherFlavour = ip.family === 'ipv4' && advertisement.version === 3 && result.checksum !== flavour;
          expect(index === 3 || otherFlavour).toBe(true);
        }
      }),
      { numRuns: 50_000 },
    );
  });
});
