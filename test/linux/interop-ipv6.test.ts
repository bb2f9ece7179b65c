// Real daemons over IPv6 (VRRPv3, RFC 5798) in namespace labs: vrrpd against vrrpd and against
// keepalived 2.2.7, multicast (ff02::12) and unicast. The higher priority holds the VIP alone;
// SIGKILL of the Master moves it within Master_Down_Interval; SIGTERM within Skew_Time; tshark
// finds every packet vrrpd sent well-formed, with a good checksum, hop limit 255 and a link-local
// source (RFC 5798 §5.1.2.1, §5.1.2.3).
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, test } from 'vitest';
import { masterDownInterval, skewTime } from '../../src/vrrp/protocol/timers.js';
import { captureFields, startCapture } from '../helpers/capture.js';
import { holds, instanceConfig, SETTLE_MS, startKeepalived, startVrrpd, vrrpdStatus, waitFor } from '../helpers/daemons.js';
import { floodMulticast, linkLocal } from '../helpers/ipv6.js';
import { isRoot, NamespaceLab, sweepStaleLabs } from '../helpers/netns.js';

const haveKeepalived = spawnSync('keepalived', ['--version'], { stdio: 'ignore' }).status === 0;
const VIP = '2001:db8::100';
/** Scheduling and polling slack on a loaded 2-core machine; the protocol bound is the main term. */
const MARGIN_MS = 600;

let lab: NamespaceLab | undefined;
afterEach(async () => {
  await lab?.destroy();
  lab = undefined;
});

/** Hosts a (2001:db8::1) and b (2001:db8::2), with their link-local addresses ready. */
async function twoHosts(): Promise<{ lab: NamespaceLab; linkLocals: string[] }> {
  await sweepStaleLabs();
  lab = await NamespaceLab.create();
  const a = await lab.addHost('a', ['2001:db8::1/64']);
  const b = await lab.addHost('b', ['2001:db8::2/64']);
  return { lab, linkLocals: [await linkLocal(a), await linkLocal(b)] };
}

describe.skipIf(!isRoot())('IPv6: vrrpd against vrrpd (needs root)', () => {
  test('election, SIGKILL failover within Master_Down_Interval, and tshark on every packet', { timeout: 60_000 }, async () => {
    const { lab: l, linkLocals } = await twoHosts();
    await floodMulticast(l);
    const observer = await l.addHost('obs', ['2001:db8::9/64']);
    const capture = await startCapture(observer, 'ip6 proto 112');
    const [a, b] = [l.host('a'), l.host('b')];
    const config = (priority: number) => instanceConfig({ priority, version: 3, vip: `${VIP}/64` });
    startVrrpd(a, config(150));
    startVrrpd(b, config(100));

    await waitFor('a to hold the VIP', () => holds(a, VIP), SETTLE_MS);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await holds(b, VIP)).toBe(false);

    await a.crash();
    const failover = await waitFor('b to take the VIP', () => holds(b, VIP), 8000);
    expect(failover).toBeLessThan(masterDownInterval(3, 100, 1000) + MARGIN_MS);
    console.info(`IPv6 vrrpd -> vrrpd SIGKILL failover: ${failover.toFixed(0)} ms (Master_Down_Interval ${masterDownInterval(3, 100, 1000)} ms)`);
    await new Promise((resolve) => setTimeout(resolve, 1500));

    await capture.stop();
    const rows = captureFields(capture.file, ['ipv6.src', 'ipv6.dst', 'ipv6.hlim', 'vrrp.version', 'vrrp.checksum.status', 'vrrp.ipv6_addr', '_ws.malformed']);
    // a advertised for about 3 s, b for about 1.5 s after taking over.
    expect(rows.length).toBeGreaterThanOrEqual(4);
    const sources = new Set(rows.map((row) => row[0]));
    expect([...sources].sort()).toEqual([...linkLocals].sort());
    for (const [source, destination, hopLimit, version, checksumStatus, vip, malformed] of rows) {
      expect([source, destination, hopLimit, version, checksumStatus, vip, malformed ?? '']).toEqual([source, 'ff02::12', '255', '3', '1', VIP, '']);
    }
  });
});

describe.skipIf(!isRoot())('IPv6: host events (needs root)', () => {
  test.each(['carrier loss', 'interface set down'])('%s on the Master: Fault and the Backup takes over; back up (link-local re-added): preempts again', { timeout: 40_000 }, async (event) => {
    const { lab: l } = await twoHosts();
    const [a, b] = [l.host('a'), l.host('b')];
    const vrrpdA = startVrrpd(a, instanceConfig({ priority: 150, version: 3, vip: `${VIP}/64` }));
    startVrrpd(b, instanceConfig({ priority: 100, version: 3, vip: `${VIP}/64` }));
    await waitFor('a to hold the VIP', () => holds(a, VIP), SETTLE_MS);
    // Set down, the interface loses its link-local address, the source vrrpd's socket is bound to.
    const setUp = (up: boolean) => (event === 'carrier loss' ? a.setCarrier(up) : a.ip('link', 'set', 'eth0', up ? 'up' : 'down'));
    await setUp(false);
    await waitFor('b to take over', () => holds(b, VIP), 6000);
    expect(vrrpdA.lines.some((line) => line.includes('"to":"Fault"'))).toBe(true);
    await setUp(true);
    await linkLocal(a);
    await waitFor('a to preempt', () => holds(a, VIP), 8000);
    await waitFor('b to let go', async () => !(await holds(b, VIP)), 3000);
  });
});

describe.skipIf(!isRoot())('IPv6: the link-local address, source of the advertisements (needs root)', () => {
  const NO_SOURCE = 'interface eth0 has no IPv6 link-local address to send advertisements from';

  test('deleted by hand on the Master: Fault and the Backup takes over; added back: preempts again', { timeout: 40_000 }, async () => {
    const { lab: l, linkLocals } = await twoHosts();
    const [a, b] = [l.host('a'), l.host('b')];
    const vrrpdA = startVrrpd(a, instanceConfig({ priority: 150, version: 3, vip: `${VIP}/64` }));
    startVrrpd(b, instanceConfig({ priority: 100, version: 3, vip: `${VIP}/64` }));
    await waitFor('a to hold the VIP', () => holds(a, VIP), SETTLE_MS);
    await a.ip('-6', 'addr', 'del', `${linkLocals[0]}/64`, 'dev', 'eth0');
    await waitFor('a to give up the VIP', async () => !(await holds(a, VIP)), 2000);
    expect(await vrrpdStatus(vrrpdA)).toMatchObject([{ state: 'Fault', faultReasons: [NO_SOURCE] }]);
    await waitFor('b to take over', () => holds(b, VIP), masterDownInterval(3, 100, 1000) + MARGIN_MS);
    await a.ip('-6', 'addr', 'add', `${linkLocals[0]}/64`, 'dev', 'eth0', 'nodad');
    await waitFor('a to preempt', () => holds(a, VIP), 8000);
    await waitFor('b to let go', async () => !(await holds(b, VIP)), 3000);
    expect(await vrrpdStatus(vrrpdA)).toMatchObject([{ state: 'Master', faultReasons: [] }]);
  });

  test('missing at start: vrrpd waits in Fault instead of exiting, and runs once the address comes', { timeout: 30_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['2001:db8::1/64']);
    const address = await linkLocal(a);
    await a.ip('-6', 'addr', 'del', `${address}/64`, 'dev', 'eth0');
    const vrrpd = startVrrpd(a, instanceConfig({ priority: 150, version: 3, vip: `${VIP}/64` }));
    await waitFor('vrrpd to report Fault', async () => (await vrrpdStatus(vrrpd).catch(() => []))[0]?.state === 'Fault', 8000);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await vrrpdStatus(vrrpd)).toMatchObject([{ state: 'Fault', faultReasons: [NO_SOURCE] }]);
    expect(await holds(a, VIP)).toBe(false);
    await a.ip('-6', 'addr', 'add', 'fe80::a/64', 'dev', 'eth0', 'nodad');
    await waitFor('vrrpd to hold the VIP', () => holds(a, VIP), SETTLE_MS);
    expect(vrrpd.process.exitCode).toBe(null);
  });
});

describe.skipIf(!isRoot())('IPv6: start-up while the link-local address is tentative (needs root)', () => {
  test('vrrpd waits for duplicate address detection instead of failing to bind', { timeout: 30_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['2001:db8::1/64']);
    // With DAD on, the link-local address is tentative for about a second after the link comes up.
    await a.exec('sysctl', ['-qw', 'net.ipv6.conf.eth0.accept_dad=1', 'net.ipv6.conf.eth0.dad_transmits=2']);
    await a.ip('link', 'set', 'eth0', 'down');
    await a.ip('link', 'set', 'eth0', 'up');
    const { stdout } = await a.ip('-6', 'addr', 'show', 'dev', 'eth0', 'scope', 'link');
    expect(stdout).toContain('tentative');
    const vrrpd = startVrrpd(a, instanceConfig({ priority: 150, version: 3, vip: `${VIP}/64` }));
    await waitFor('vrrpd to hold the VIP', () => holds(a, VIP), 10_000);
    expect(vrrpd.lines.join('\n')).not.toMatch(/error/i);
  });
});

interface InteropCase {
  readonly name: string;
  readonly unicast: boolean;
}

const cases: InteropCase[] = [
  { name: 'IPv6 VRRPv3 multicast', unicast: false },
  { name: 'IPv6 VRRPv3 unicast', unicast: true },
];

function interopConfig(c: InteropCase, priority: number, self: string, peer: string): string {
  return instanceConfig({ priority, version: 3, vip: `${VIP}/64`, ...(c.unicast ? { unicastSource: self, unicastPeers: [peer] } : {}) });
}

describe.skipIf(!isRoot() || !haveKeepalived)('IPv6: vrrpd against keepalived (needs root and keepalived)', () => {
  test.each(cases)('$name: vrrpd Master, keepalived Backup; SIGTERM hands over within Skew_Time', { timeout: 40_000 }, async (c) => {
    const { lab: l, linkLocals } = await twoHosts();
    const [a, b] = [l.host('a'), l.host('b')];
    // Everything vrrpd sends, as keepalived's host receives it.
    const source = c.unicast ? '2001:db8::1' : (linkLocals[0] ?? '');
    const capture = await startCapture(b, `ip6 proto 112 and src host ${source}`);
    const vrrpd = startVrrpd(a, interopConfig(c, 150, '2001:db8::1', '2001:db8::2'));
    startKeepalived(b, interopConfig(c, 100, '2001:db8::2', '2001:db8::1'));
    await waitFor('vrrpd to hold the VIP', () => holds(a, VIP), SETTLE_MS);
    // keepalived hears vrrpd's advertisements and stays Backup.
    await new Promise((resolve) => setTimeout(resolve, 4500));
    expect(await holds(b, VIP)).toBe(false);
    expect(await holds(a, VIP)).toBe(true);

    vrrpd.process.kill('SIGTERM');
    const handover = await waitFor('keepalived to take the VIP', () => holds(b, VIP), 5000);
    expect(handover).toBeLessThan(skewTime(3, 100, 1000) + MARGIN_MS);
    console.info(`${c.name}: vrrpd SIGTERM -> keepalived Master in ${handover.toFixed(0)} ms (Skew_Time ${skewTime(3, 100, 1000)} ms)`);
    expect(await vrrpd.exited).toBe(0);
    expect(await holds(a, VIP)).toBe(false);

    await capture.stop();
    const fields = ['ipv6.src', 'ipv6.dst', 'ipv6.hlim', 'vrrp.version', 'vrrp.prio', 'vrrp.checksum.status', '_ws.malformed'];
    const rows = captureFields(capture.file, fields).map((row) => fields.map((_, i) => row[i] ?? ''));
    expect(rows.length).toBeGreaterThanOrEqual(5);
    const destination = c.unicast ? '2001:db8::2' : 'ff02::12';
    expect(rows.slice(0, -1)).toEqual(rows.slice(0, -1).map(() => [source, destination, '255', '3', '150', '1', '']));
    // The last one is the SIGTERM hand-over: priority 0.
    expect(rows.at(-1)).toEqual([source, destination, '255', '3', '0', '1', '']);
  });

  test.each(cases)('$name: keepalived Master, vrrpd Backup; SIGKILL of keepalived fails over within Master_Down_Interval', { timeout: 40_000 }, async (c) => {
    const { lab: l } = await twoHosts();
    const [a, b] = [l.host('a'), l.host('b')];
    startKeepalived(b, interopConfig(c, 150, '2001:db8::2', '2001:db8::1'));
    startVrrpd(a, interopConfig(c, 100, '2001:db8::1', '2001:db8::2'));
    await waitFor('keepalived to hold the VIP', () => holds(b, VIP), 8000);
    await new Promise((resolve) => setTimeout(resolve, 4500));
    expect(await holds(a, VIP)).toBe(false);

    await b.crash();
    const failover = await waitFor('vrrpd to take the VIP', () => holds(a, VIP), 8000);
    expect(failover).toBeLessThan(masterDownInterval(3, 100, 1000) + MARGIN_MS);
    // More than Skew_Time: a crash sends no priority 0, so vrrpd waited for its timer.
    expect(failover).toBeGreaterThan(skewTime(3, 100, 1000) + 1000);
    console.info(`${c.name}: keepalived SIGKILL -> vrrpd Master in ${failover.toFixed(0)} ms (Master_Down_Interval ${masterDownInterval(3, 100, 1000)} ms)`);
  });

  test.each(cases)('$name: vrrpd Master, keepalived Backup; SIGKILL of vrrpd fails over within Master_Down_Interval', { timeout: 40_000 }, async (c) => {
    const { lab: l } = await twoHosts();
    const [a, b] = [l.host('a'), l.host('b')];
    startVrrpd(a, interopConfig(c, 150, '2001:db8::1', '2001:db8::2'));
    startKeepalived(b, interopConfig(c, 100, '2001:db8::2', '2001:db8::1'));
    await waitFor('vrrpd to hold the VIP', () => holds(a, VIP), SETTLE_MS);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await holds(b, VIP)).toBe(false);

    await a.crash();
    const failover = await waitFor('keepalived to take the VIP', () => holds(b, VIP), 8000);
    expect(failover).toBeLessThan(masterDownInterval(3, 100, 1000) + MARGIN_MS);
    expect(failover).toBeGreaterThan(skewTime(3, 100, 1000) + 1000);
    console.info(`${c.name}: vrrpd SIGKILL -> keepalived Master in ${failover.toFixed(0)} ms (Master_Down_Interval ${masterDownInterval(3, 100, 1000)} ms)`);
  });

  test.each(cases)('$name: keepalived SIGTERM hands over to vrrpd within Skew_Time', { timeout: 40_000 }, async (c) => {
    const { lab: l } = await twoHosts();
    const [a, b] = [l.host('a'), l.host('b')];
    const keepalived = startKeepalived(b, interopConfig(c, 150, '2001:db8::2', '2001:db8::1'));
    startVrrpd(a, interopConfig(c, 100, '2001:db8::1', '2001:db8::2'));
    await waitFor('keepalived to hold the VIP', () => holds(b, VIP), 8000);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await holds(a, VIP)).toBe(false);

    keepalived.process.kill('SIGTERM');
    const handover = await waitFor('vrrpd to take the VIP', () => holds(a, VIP), 5000);
    expect(handover).toBeLessThan(skewTime(3, 100, 1000) + MARGIN_MS);
    console.info(`${c.name}: keepalived SIGTERM -> vrrpd Master in ${handover.toFixed(0)} ms (Skew_Time ${skewTime(3, 100, 1000)} ms)`);
  });
});
