// Real advertisements captured from keepalived (test/vectors/capture-keepalived.sh): vrrpd decodes
// each to what tshark decoded, and re-encoding gives back the captured bytes exactly.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { decodeAdvertisement, encodeAdvertisement, type IpContext } from '../../../src/vrrp/packet/advertisement.js';

interface Vector {
  name: string;
  family: 'ipv4' | 'ipv6';
  ipSource: string;
  ipDestination: string;
  ttlOrHopLimit: number;
  hex: string;
  tshark: {
    version: number;
    vrid: number;
    priority: number;
    addressCount: number;
    authType?: number;
    advertIntervalSeconds?: number;
    maxAdvertIntervalCs?: number;
    authString?: string;
    checksumStatus: number;
    addresses: string[];
  };
}

const folder = join(import.meta.dirname, '..', '..', 'vectors', 'keepalived');
const vectors = readdirSync(folder)
  .filter((file) => file.endsWith('.json'))
  .map((file) => JSON.parse(readFileSync(join(folder, file), 'utf8')) as Vector);

test('the vectors cover v2 with and without password, v3 over IPv4 and IPv6, unicast and priority 0', () => {
  expect(vectors.map((v) => v.name).sort()).toEqual([
    'v2-ipv4-no-auth',
    'v2-ipv4-password',
    'v3-ipv4-multicast',
    'v3-ipv4-priority-zero',
    'v3-ipv4-unicast',
    'v3-ipv6-multicast',
  ]);
});

describe.each(vectors)('$name', (vector) => {
  const bytes = Uint8Array.from(Buffer.from(vector.hex, 'hex'));
  const ip: IpContext = { family: vector.family, source: vector.ipSource, destination: vector.ipDestination };

  test('keepalived sent it with TTL / hop limit 255, and tshark found the checksum good', () => {
    expect(vector.ttlOrHopLimit).toBe(255);
    expect(vector.tshark.checksumStatus).toBe(1); // Wireshark's PROTO_CHECKSUM_E_GOOD
  });

  test('decodes to what tshark decoded', () => {
    const decoded = decodeAdvertisement(bytes, ip);
    if (!decoded.ok) throw new Error(`rejected: ${decoded.rejection.detail}`);
    const { advertisement } = decoded;
    expect(advertisement.version).toBe(vector.tshark.version);
    expect(advertisement.vrid).toBe(vector.tshark.vrid);
    expect(advertisement.priority).toBe(vector.tshark.priority);
    expect(advertisement.addresses).toEqual(vector.tshark.addresses);
    expect(advertisement.addresses).toHaveLength(vector.tshark.addressCount);
    if (advertisement.version === 2) {
      expect(advertisement.advertIntervalSeconds).toBe(vector.tshark.advertIntervalSeconds);
      expect(advertisement.authType).toBe(vector.tshark.authType);
      if (vector.tshark.authString !== undefined) {
        expect(Buffer.from(advertisement.authData).toString('latin1').replace(/\0+$/, '')).toBe(vector.tshark.authString);
      }
      expect(decoded.checksum).toBe('message-only');
    } else {
      expect(advertisement.maxAdvertIntervalCs).toBe(vector.tshark.maxAdvertIntervalCs);
      // keepalived includes the pseudo-header for VRRPv3 over IPv4 too (by default).
      expect(decoded.checksum).toBe('pseudo-header');
    }
  });

  test('re-encodes byte for byte', () => {
    const decoded = decodeAdvertisement(bytes, ip);
    if (!decoded.ok) throw new Error(decoded.rejection.detail);
    expect(Buffer.from(encodeAdvertisement(decoded.advertisement, ip, decoded.checksum)).toString('hex')).toBe(vector.hex);
  });
});
