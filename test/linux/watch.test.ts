// `vrrpd watch` on a real link: it reports keepalived's advertisements, as JSON lines and as a
// table, and changes nothing on the host.
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, test } from 'vitest';
import { instanceConfig, startKeepalived, waitFor, holds } from '../helpers/daemons.js';
import { linkLocal } from '../helpers/ipv6.js';
import { isRoot, NamespaceLab, sweepStaleLabs } from '../helpers/netns.js';

const vrrpd = join(import.meta.dirname, '..', '..', 'bin', 'vrrpd');
const haveKeepalived = spawnSync('keepalived', ['--version'], { stdio: 'ignore' }).status === 0;
let lab: NamespaceLab | undefined;
afterEach(async () => {
  await lab?.destroy();
  lab = undefined;
});

describe.skipIf(!isRoot() || !haveKeepalived)('vrrpd watch (needs root and keepalived)', () => {
  test('reports each advertisement heard with the documented fields', { timeout: 30_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const b = await lab.addHost('b', ['192.0.2.2/24']);
    startKeepalived(a, instanceConfig({ priority: 150, version: 2, vip: '192.0.2.100/24', password: 'secret12', vrid: 42 }));
    await waitFor('keepalived to become Master', () => holds(a, '192.0.2.100'), 8000);
    const before = await b.addresses();
    const { stdout } = await promisify(execFile)('ip', ['netns', 'exec', b.netns, 'node', vrrpd, 'watch', '-i', 'eth0', '--json', '--duration', '2.5']);
    const records = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.length).toBeGreaterThanOrEqual(2);
    expect(records[0]).toMatchObject({
      vrid: 42,
      version: 2,
      family: 'ipv4',
      priority: 150,
      source: '192.0.2.1',
      destination: '224.0.0.18',
      ttl: 255,
      addresses: ['192.0.2.100'],
      intervalMs: 1000,
      authType: 'simple',
      checksum: 'message-only',
    });
    expect(await b.addresses()).toEqual(before);
  });

  test('the table shows one row per router', { timeout: 30_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const b = await lab.addHost('b', ['192.0.2.2/24']);
    startKeepalived(a, instanceConfig({ priority: 150, version: 3, vip: '192.0.2.100/24', vrid: 7 }));
    await waitFor('keepalived to become Master', () => holds(a, '192.0.2.100'), 8000);
    const { stdout } = await promisify(execFile)('ip', ['netns', 'exec', b.netns, 'node', vrrpd, 'watch', '-i', 'eth0', '--duration', '2.5']);
    const table = stdout.trim().split('\n').slice(-2);
    expect(table[0]).toMatch(/^VRID\s+VER\s+SOURCE\s+PRIO\s+INTERVAL/);
    expect(table[1]).toMatch(/^7\s+v3\s+192\.0\.2\.1\s+150\s+1000 ms\s+none\s+pseudo-header\s+\d+\s+[\d.]+ s ago\s+192\.0\.2\.100$/);
  });

  test('hears IPv6 too: VRRPv3 multicast from the link-local address, and unicast to this host', { timeout: 30_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['2001:db8::1/64']);
    const b = await lab.addHost('b', ['2001:db8::2/64']);
    const c = await lab.addHost('c', ['2001:db8::3/64']);
    const aLinkLocal = await linkLocal(a);
    await linkLocal(c);
    startKeepalived(a, instanceConfig({ priority: 150, version: 3, vip: '2001:db8::100/64', vrid: 9 }));
    startKeepalived(c, instanceConfig({ priority: 120, version: 3, vip: '2001:db8::200/64', vrid: 10, unicastSource: '2001:db8::3', unicastPeers: ['2001:db8::2'] }));
    await waitFor('keepalived on a to become Master', () => holds(a, '2001:db8::100'), 8000);
    await waitFor('keepalived on c to become Master', () => holds(c, '2001:db8::200'), 8000);
    const { stdout } = await promisify(execFile)('ip', ['netns', 'exec', b.netns, 'node', vrrpd, 'watch', '-i', 'eth0', '--json', '--duration', '2.5']);
    const records = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const common = { version: 3, family: 'ipv6', intervalMs: 1000, authType: 'none', checksum: 'pseudo-header' };
    expect(records.find((r) => r['vrid'] === 9)).toMatchObject({ ...common, priority: 150, source: aLinkLocal, destination: 'ff02::12', ttl: 255, addresses: ['2001:db8::100'] });
    // keepalived sends IPv6 unicast with the default hop limit; watch reports what arrived.
    expect(records.find((r) => r['vrid'] === 10)).toMatchObject({ ...common, priority: 120, source: '2001:db8::3', destination: '2001:db8::2', ttl: 64, addresses: ['2001:db8::200'] });
  });

  test('a missing interface is a clear error', async () => {
    const result = await promisify(execFile)(vrrpd, ['watch', '-i', 'nosuch0', '--duration', '1']).catch((error: { code: number; stderr: string }) => error);
    expect(result).toMatchObject({ code: 1, stderr: 'vrrpd watch: interface nosuch0 does not exist\n' });
  });
});
