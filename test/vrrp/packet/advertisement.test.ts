// Hand-written codec cases: every rejection the codec gives, with a specific detail, and the
// edges of the format.
import { describe, expect, test } from 'vitest';
import { AdvertisementDecoder, decodeAdvertisement, encodeAdvertisement, type Advertisement, type IpContext } from '../../../src/vrrp/packet/advertisement.js';
import * as checksumTools from '../../../src/vrrp/packet/checksum.js';

const v4: IpContext = { family: 'ipv4', source: '192.0.2.1', destination: '224.0.0.18' };
const v6: IpContext = { family: 'ipv6', source: 'fe80::1', destination: 'ff02::12' };
const v3: Advertisement = { version: 3, vrid: 10, priority: 100, maxAdvertIntervalCs: 100, addresses: ['192.0.2.100'] };
const v2: Advertisement = { version: 2, vrid: 10, priority: 100, advertIntervalSeconds: 1, authType: 0, authData: new Uint8Array(8), addresses: ['192.0.2.100'] };

/** Re-computes a valid checksum after a test edits a field, so only the edited field is wrong. */
function withField(advertisement: Advertisement, ip: IpContext, edit: (bytes: Uint8Array) => void): Uint8Array {
  const bytes = encodeAdvertisement(advertisement, ip);
  edit(bytes);
  bytes[6] = 0;
  bytes[7] = 0;
  const { internetChecksum, pseudoHeader } = checksumTools;
  const sum = advertisement.version === 3 ? internetChecksum([pseudoHeader(ip.family, ip.source, ip.destination, bytes.length), bytes]) : internetChecksum([bytes]);
  bytes[6] = sum >> 8;
  bytes[7] = sum & 0xff;
  return bytes;
}

describe('rejections', () => {
  test.each([
    ['too-short', new Uint8Array(7), v4, '7 bytes, the VRRP header alone is 8'],
    ['version', withField(v3, v4, (b) => (b[0] = 0x41)), v4, 'version 4, expected 2 or 3'],
    ['version', encodeAdvertisement(v2, v4), v6, 'VRRPv2 is defined for IPv4 only (RFC 3768)'],
    ['type', withField(v3, v4, (b) => (b[0] = 0x32)), v4, 'type 2, only 1 (ADVERTISEMENT) is defined'],
    ['vrid', withField(v3, v4, (b) => (b[1] = 0)), v4, 'VRID 0 is not a valid virtual router (RFC 5798 §5.2.3)'],
    ['address-count', withField(v3, v4, (b) => (b[3] = 2)), v4, '2 addresses need 16 bytes, the message has 12'],
    ['checksum', (() => { const b = encodeAdvertisement(v3, v4); b[2] = 99; return b; })(), v4, 'checksum 0x'],
  ] as const)('%s', (reason, bytes, ip, detail) => {
    const result = decodeAdvertisement(bytes, ip);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.rejection.reason).toBe(reason);
    expect(result.rejection.detail).toContain(detail);
  });

  test('a v3 checksum made for another destination does not verify (the pseudo-header counts)', () => {
    const bytes = encodeAdvertisement({ ...v3, addresses: ['2001:db8::100'] }, v6);
    expect(decodeAdvertisement(bytes, { ...v6, destination: 'fe80::2' })).toMatchObject({ ok: false, rejection: { reason: 'checksum' } });
  });
});

describe('format edges', () => {
  test('trailing bytes (Ethernet padding) are tolerated and not part of the checksum', () => {
    const bytes = encodeAdvertisement(v3, v4);
    const padded = new Uint8Array(bytes.length + 6);
    padded.set(bytes);
    padded.fill(0xee, bytes.length);
    expect(decodeAdvertisement(padded, v4)).toEqual({ ok: true, advertisement: v3, checksum: 'pseudo-header' });
  });

  test('the 4 reserved bits of VRRPv3 are ignored on receipt (RFC 5798 §5.2.6)', () => {
    const bytes = withField(v3, v4, (b) => (b[4] = (b[4] ?? 0) | 0xf0));
    expect(decodeAdvertisement(bytes, v4)).toMatchObject({ ok: true, advertisement: { maxAdvertIntervalCs: 100 } });
  });

  test('the 12-bit interval: 1 cs and 4095 cs', () => {
    for (const maxAdvertIntervalCs of [1, 4095]) {
      const advertisement = { ...v3, maxAdvertIntervalCs };
      expect(decodeAdvertisement(encodeAdvertisement(advertisement, v4), v4)).toMatchObject({ ok: true, advertisement });
    }
  });

  test('zero and 255 addresses', () => {
    const none = { ...v3, addresses: [] };
    expect(decodeAdvertisement(encodeAdvertisement(none, v4), v4)).toMatchObject({ ok: true, advertisement: none });
    const many = { ...v3, addresses: Array.from({ length: 255 }, (_, i) => `198.51.100.${i}`) };
    const bytes = encodeAdvertisement(many, v4);
    expect(bytes.length).toBe(8 + 255 * 4);
    expect(decodeAdvertisement(bytes, v4)).toMatchObject({ ok: true, advertisement: many });
  });

  test('VRRPv3 over IPv4 accepts both checksum flavours and says which', () => {
    expect(decodeAdvertisement(encodeAdvertisement(v3, v4, 'message-only'), v4)).toMatchObject({ ok: true, checksum: 'message-only' });
    expect(decodeAdvertisement(encodeAdvertisement(v3, v4, 'pseudo-header'), v4)).toMatchObject({ ok: true, checksum: 'pseudo-header' });
  });

  test('IPv6 always uses the pseudo-header, whatever flavour is asked for', () => {
    const advertisement = { ...v3, addresses: ['2001:db8::100'] };
    expect(decodeAdvertisement(encodeAdvertisement(advertisement, v6, 'message-only'), v6)).toMatchObject({ ok: true, checksum: 'pseudo-header' });
  });
});

describe('AdvertisementDecoder (remembers the last packet)', () => {
  test('the same bytes from the same source to the same destination give the same result object, anything else decodes anew', () => {
    const decoder = new AdvertisementDecoder();
    const bytes = encodeAdvertisement(v3, v4);
    const first = decoder.decode(bytes, v4);
    expect(first).toEqual(decodeAdvertisement(bytes, v4));
    // A copy of the bytes (a new packet with the same content), a new IP context with the same addresses.
    expect(decoder.decode(Uint8Array.from(bytes), { ...v4 })).toBe(first);
    // One byte differs: the priority, then a checksum that no longer verifies.
    const higher = encodeAdvertisement({ ...v3, priority: 200 }, v4);
    expect(decoder.decode(higher, v4)).toMatchObject({ ok: true, advertisement: { priority: 200 } });
    const broken = Uint8Array.from(higher);
    broken[7] = (broken[7] ?? 0) ^ 0xff;
    expect(decoder.decode(broken, v4)).toMatchObject({ ok: false, rejection: { reason: 'checksum' } });
    // Another source or destination: the pseudo-header differs, so does the verdict.
    expect(decoder.decode(bytes, v4)).toMatchObject({ ok: true, checksum: 'pseudo-header' });
    expect(decoder.decode(bytes, { ...v4, source: '192.0.2.2' })).toMatchObject({ ok: false, rejection: { reason: 'checksum' } });
    expect(decoder.decode(bytes, v4)).toMatchObject({ ok: true, checksum: 'pseudo-header' });
    expect(decoder.decode(bytes, { ...v4, destination: '192.0.2.3' })).toMatchObject({ ok: false, rejection: { reason: 'checksum' } });
    // Trailing bytes: a longer packet is another packet (its result is the same, decoded again).
    const padded = new Uint8Array(bytes.length + 4);
    padded.set(bytes);
    expect(decoder.decode(padded, v4)).toEqual(first);
    expect(decoder.decode(bytes, v4)).not.toBe(decoder.decode(padded, v4));
  });

  test('the bytes are copied: a packet buffer written over afterwards does not change what it remembers', () => {
    const decoder = new AdvertisementDecoder();
    const buffer = Uint8Array.from(encodeAdvertisement(v3, v4));
    const first = decoder.decode(buffer, v4);
    buffer.set(encodeAdvertisement({ ...v3, priority: 50 }, v4));
    expect(decoder.decode(buffer, v4)).toMatchObject({ ok: true, advertisement: { priority: 50 } });
    expect(first).toMatchObject({ ok: true, advertisement: { priority: 100 } });
  });
});
