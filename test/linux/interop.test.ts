// Real daemons in namespace labs: vrrpd against vrrpd and against keepalived (Debian's), IPv4,
// VRRPv2 and v3, multicast and unicast, with and without password. The higher priority holds the
// VIP alone; SIGKILL moves it within Master_Down_Interval; SIGTERM within Skew_Time; a hostile
// neighbour changes nothing; tshark finds every packet vrrpd sent well-formed.
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, test } from 'vitest';
import { masterDownInterval, skewTime } from '../../src/vrrp/protocol/timers.js';
import { captureFields, startCapture } from '../helpers/capture.js';
import { holds, instanceConfig, SETTLE_MS, startKeepalived, startVrrpd, waitFor } from '../helpers/daemons.js';
import { isRoot, NamespaceLab, sweepStaleLabs } from '../helpers/netns.js';

const haveKeepalived = spawnSync('keepalived', ['--version'], { stdio: 'ignore' }).status === 0;
const VIP = '192.0.2.100';
/** Scheduling and polling slack on a loaded 2-core CI machine; the protocol bound is the main term. */
const MARGIN_MS = 600;

let lab: NamespaceLab | undefined;
afterEach(async () => {
  await lab?.destroy();
  lab = undefined;
});

async function twoHosts(): Promise<NamespaceLab> {
  await sweepStaleLabs();
  lab = await NamespaceLab.create();
  await lab.addHost('a', ['192.0.2.1/24']);
  await lab.addHost('b', ['192.0.2.2/24']);
  return lab;
}

describe.skipIf(!isRoot())('vrrpd against vrrpd (needs root)', () => {
  test('election, SIGKILL failover within Master_Down_Interval, restart clean-up, and tshark on every packet', { timeout: 60_000 }, async () => {
    const l = await twoHosts();
    const observer = await l.addHost('obs', ['192.0.2.9/24']);
    const capture = await startCapture(observer, 'ip proto 112');
    const [a, b] = [l.host('a'), l.host('b')];
    const config = (priority: number) => instanceConfig({ priority, version: 3, vip: `${VIP}/24` });
    startVrrpd(a, config(150));
    startVrrpd(b, config(100));

    await waitFor('a to hold the VIP', () => holds(a, VIP), SETTLE_MS);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await holds(b, VIP)).toBe(false);

    await a.crash();
    const failover = await waitFor('b to take the VIP', () => holds(b, VIP), 8000);
    expect(failover).toBeLessThan(masterDownInterval(3, 100, 1000) + MARGIN_MS);
    console.info(`vrrpd -> vrrpd SIGKILL failover: ${failover.toFixed(0)} ms (Master_Down_Interval ${masterDownInterval(3, 100, 1000)} ms)`);
    // SIGKILL leaves the VIP on a (nobody removed it), as with keepalived.
    expect(await holds(a, VIP)).toBe(true);

    // Restarted, vrrpd removes what the killed run left before anything else, then preempts.
    const second = startVrrpd(a, config(150));
    await waitFor('the restart to clean up', async () => second.lines.some((line) => line.includes('stale-addresses-removed')), 5000);
    await waitFor('a to preempt', () => holds(a, VIP), 6000);
    await waitFor('b to let go', async () => !(await holds(b, VIP)), 3000);

    await capture.stop();
    const rows = captureFields(capture.file, ['ip.src', 'ip.ttl', 'vrrp.checksum.status', '_ws.malformed']);
    expect(rows.length).toBeGreaterThan(5);
    for (const [source, ttl, checksumStatus, malformed] of rows) {
      expect([source, ttl, checksumStatus, malformed ?? '']).toEqual([source, '255', '1', '']);
    }
  });
});

interface InteropCase {
  readonly name: string;
  readonly version: 2 | 3;
  readonly password?: string;
  readonly unicast?: boolean;
}

const cases: InteropCase[] = [
  { name: 'VRRPv2 multicast', version: 2 },
  { name: 'VRRPv2 multicast with password', version: 2, password: 'secret12' },
  { name: 'VRRPv3 multicast', version: 3 },
  { name: 'VRRPv3 unicast', version: 3, unicast: true },
];

function interopConfig(c: InteropCase, priority: number, self: string, peer: string): string {
  return instanceConfig({
    priority,
    version: c.version,
    vip: `${VIP}/24`,
    ...(c.password ? { password: c.password } : {}),
    ...(c.unicast ? { unicastSource: self, unicastPeers: [peer] } : {}),
  });
}

describe.skipIf(!isRoot() || !haveKeepalived)('vrrpd against keepalived (needs root and keepalived)', () => {
  test.each(cases)('$name: vrrpd Master, keepalived Backup; SIGTERM hands over within Skew_Time, its priority 0 sent once, from the signal handler, and nothing after it', { timeout: 40_000 }, async (c) => {
    const l = await twoHosts();
    const [a, b] = [l.host('a'), l.host('b')];
    const capture = await startCapture(b, 'ip proto 112 and src host 192.0.2.1');
    const vrrpd = startVrrpd(a, interopConfig(c, 150, '192.0.2.1', '192.0.2.2'));
    startKeepalived(b, interopConfig(c, 100, '192.0.2.2', '192.0.2.1'));
    await waitFor('vrrpd to hold the VIP', () => holds(a, VIP), SETTLE_MS);
    // keepalived hears vrrpd's advertisements and stays Backup.
    await new Promise((resolve) => setTimeout(resolve, 4500));
    expect(await holds(b, VIP)).toBe(false);
    expect(await holds(a, VIP)).toBe(true);

    vrrpd.process.kill('SIGTERM');
    const handover = await waitFor('keepalived to take the VIP', () => holds(b, VIP), 5000);
    expect(handover).toBeLessThan(skewTime(c.version, 100, 1000) + MARGIN_MS);
    console.info(`${c.name}: vrrpd SIGTERM -> keepalived Master in ${handover.toFixed(0)} ms (Skew_Time ${skewTime(c.version, 100, 1000)} ms)`);
    expect(await vrrpd.exited).toBe(0);
    expect(await holds(a, VIP)).toBe(false);
    // The handler sent the armed priority 0 (native-shims/signal_resignation.cc); the shutdown's
    // own copy and any advertisement after it were held back: one priority 0, the last packet.
    const stopping = vrrpd.lines.map((line) => JSON.parse(line) as { event?: string; priorityZeroFromSignalHandler?: number }).find((line) => line.event === 'stopping');
    expect(stopping?.priorityZeroFromSignalHandler).toBe(1);
    await capture.stop();
    const priorities = captureFields(capture.file, ['vrrp.prio']).map(([priority]) => priority);
    expect(priorities.filter((priority) => priority === '0')).toEqual(['0']);
    expect(priorities.at(-1)).toBe('0');
    expect(priorities.length).toBeGreaterThan(3);
  });

  test.each(cases)('$name: keepalived Master, vrrpd Backup; SIGKILL of keepalived fails over within Master_Down_Interval', { timeout: 40_000 }, async (c) => {
    const l = await twoHosts();
    const [a, b] = [l.host('a'), l.host('b')];
    startKeepalived(b, interopConfig(c, 150, '192.0.2.2', '192.0.2.1'));
    startVrrpd(a, interopConfig(c, 100, '192.0.2.1', '192.0.2.2'));
    await waitFor('keepalived to hold the VIP', () => holds(b, VIP), 8000);
    await new Promise((resolve) => setTimeout(resolve, 4500));
    expect(await holds(a, VIP)).toBe(false);

    await b.crash();
    const failover = await waitFor('vrrpd to take the VIP', () => holds(a, VIP), 8000);
    expect(failover).toBeLessThan(masterDownInterval(c.version, 100, 1000) + MARGIN_MS);
    // More than Skew_Time: a crash sends no priority 0, so vrrpd waited for its timer.
    expect(failover).toBeGreaterThan(skewTime(c.version, 100, 1000) + 1000);
    console.info(`${c.name}: keepalived SIGKILL -> vrrpd Master in ${failover.toFixed(0)} ms (Master_Down_Interval ${masterDownInterval(c.version, 100, 1000)} ms)`);
  });

  test('a neighbour with the wrong password at priority 254 neither displaces nor silences the Master', { timeout: 40_000 }, async () => {
    const l = await twoHosts();
    await l.addHost('rogue', ['192.0.2.66/24']);
    const [a, b] = [l.host('a'), l.host('b')];
    startVrrpd(a, instanceConfig({ priority: 150, version: 2, vip: `${VIP}/24`, password: 'secret12' }));
    startKeepalived(b, instanceConfig({ priority: 100, version: 2, vip: `${VIP}/24`, password: 'secret12' }));
    await waitFor('vrrpd to hold the VIP', () => holds(a, VIP), SETTLE_MS);
    const rogue = startKeepalived(l.host('rogue'), instanceConfig({ priority: 254, version: 2, vip: `${VIP}/24`, password: 'wrong' }));
    await new Promise((resolve) => setTimeout(resolve, 6000));
    expect(await holds(a, VIP)).toBe(true);
    expect(await holds(b, VIP)).toBe(false);
    rogue.process.kill('SIGKILL');
  });
});
