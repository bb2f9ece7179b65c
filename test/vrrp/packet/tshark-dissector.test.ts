// tshark's VRRP dissector reads every kind of advertisement vrrpd encodes as well-formed, with
// the fields vrrpd meant and a good checksum.
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { encodeAdvertisement, type Advertisement, type ChecksumFlavour, type IpContext } from '../../../src/vrrp/packet/advertisement.js';
import { passwordBytes } from '../../../src/vrrp/protocol/receive-checks.js';
import { ipPacket, pcapFile } from '../../helpers/pcap.js';
import { scratchDir } from '../../helpers/scratch.js';

const haveTshark = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
const dir = scratchDir('tshark');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Case {
  readonly name: string;
  readonly advertisement: Advertisement;
  readonly ip: IpContext;
  readonly flavour: ChecksumFlavour;
}

const v4: IpContext = { family: 'ipv4', source: '192.0.2.1', destination: '224.0.0.18' };
const v6: IpContext = { family: 'ipv6', source: 'fe80::1', destination: 'ff02::12' };
const cases: Case[] = [
  { name: 'v2 no auth', ip: v4, flavour: 'message-only', advertisement: { version: 2, vrid: 1, priority: 100, advertIntervalSeconds: 1, authType: 0, authData: new Uint8Array(8), addresses: ['192.0.2.100'] } },
  { name: 'v2 password', ip: v4, flavour: 'message-only', advertisement: { version: 2, vrid: 2, priority: 254, advertIntervalSeconds: 3, authType: 1, authData: passwordBytes('secret12'), addresses: ['192.0.2.100', '198.51.100.1'] } },
  { name: 'v3 ipv4', ip: v4, flavour: 'pseudo-header', advertisement: { version: 3, vrid: 3, priority: 150, maxAdvertIntervalCs: 2, addresses: ['203.0.113.1', '203.0.113.2'] } },
  { name: 'v3 ipv4 priority 0', ip: v4, flavour: 'pseudo-header', advertisement: { version: 3, vrid: 4, priority: 0, maxAdvertIntervalCs: 100, addresses: ['192.0.2.100'] } },
  { name: 'v3 ipv4 unicast', ip: { ...v4, destination: '192.0.2.2' }, flavour: 'pseudo-header', advertisement: { version: 3, vrid: 5, priority: 255, maxAdvertIntervalCs: 4095, addresses: ['192.0.2.100'] } },
  { name: 'v3 ipv6', ip: v6, flavour: 'pseudo-header', advertisement: { version: 3, vrid: 6, priority: 100, maxAdvertIntervalCs: 100, addresses: ['2001:db8::100', '2001:db8::101'] } },
];

function dissect(file: string, prefs: string[] = []): Array<Record<string, unknown>> {
  const out = execFileSync('tshark', ['-r', file, '-T', 'json', '--no-duplicate-keys', ...prefs], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return (JSON.parse(out) as Array<{ _source: { layers: Record<string, unknown> } }>).map((p) => p._source.layers);
}

describe.skipIf(!haveTshark)('tshark reads what vrrpd sends (needs tshark)', () => {
  test('every advertisement: VRRP, well-formed, fields as encoded, checksum good', () => {
    const file = join(dir, 'vrrpd.pcap');
    writeFileSync(file, pcapFile(cases.map((c) => ipPacket(c.ip.family, c.ip.source, c.ip.destination, encodeAdvertisement(c.advertisement, c.ip, c.flavour)))));
    const packets = dissect(file);
    expect(packets).toHaveLength(cases.length);
    packets.forEach((layers, i) => {
      const c = cases[i]!;
      expect(layers['_ws.malformed'], c.name).toBeUndefined();
      const vrrp = layers['vrrp'] as Record<string, unknown>;
      expect(vrrp, c.name).toBeDefined();
      expect(Number(vrrp['vrrp.virt_rtr_id'])).toBe(c.advertisement.vrid);
      expect(Number(vrrp['vrrp.prio'])).toBe(c.advertisement.priority);
      expect(Number(vrrp['vrrp.addr_count'])).toBe(c.advertisement.addresses.length);
      const addresses = vrrp['vrrp.ip_addr'] ?? vrrp['vrrp.ipv6_addr'];
      expect([addresses].flat()).toEqual(c.advertisement.addresses);
      expect(Number(vrrp['vrrp.checksum.status']), `${c.name} checksum`).toBe(1); // PROTO_CHECKSUM_E_GOOD
    });
  });

  test('the RFC 9568 flavour (no IPv4 pseudo-header) is good when tshark is told to expect it', () => {
    const c = cases[2]!;
    const file = join(dir, 'v3-as-v2.pcap');
    writeFileSync(file, pcapFile([ipPacket('ipv4', v4.source, v4.destination, encodeAdvertisement(c.advertisement, v4, 'message-only'))]));
    const [asV2] = dissect(file, ['-o', 'vrrp.v3_checksum_as_in_v2:TRUE']);
    expect(Number((asV2?.['vrrp'] as Record<string, unknown>)['vrrp.checksum.status'])).toBe(1);
    const [asDefault] = dissect(file);
    expect(Number((asDefault?.['vrrp'] as Record<string, unknown>)['vrrp.checksum.status'])).toBe(0); // bad under keepalived's flavour
  });
});
