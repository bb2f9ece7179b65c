// Held sends in a running vrrpd Master (src/vrrp/protocol/held-sends.ts, the IPv4 socket's own
// sends): beside keepalived as Backup, every advertisement on the wire is in the Master's
// statistics, a priority override is advertised at once and every advertisement after it carries
// the new priority (the hold is released, and taken again with the new bytes), and keepalived
// stays Backup throughout.
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, test } from 'vitest';
import { captureFields, startCapture, type Capture } from '../helpers/capture.js';
import { holds, instanceConfig, SETTLE_MS, startKeepalived, startVrrpd, vrrpdStatus, waitFor, type RunningDaemon } from '../helpers/daemons.js';
import { isRoot, NamespaceLab, sweepStaleLabs } from '../helpers/netns.js';

const haveKeepalived = spawnSync('keepalived', ['--version'], { stdio: 'ignore' }).status === 0;
const vrrpdBin = join(import.meta.dirname, '..', '..', 'bin', 'vrrpd');
const VIP = '192.0.2.100';
let lab: NamespaceLab | undefined;
let capture: Capture | undefined;
const daemons: RunningDaemon[] = [];
afterEach(async () => {
  for (const daemon of daemons.splice(0)) {
    daemon.process.kill('SIGKILL');
    await daemon.exited;
  }
  await capture?.stop();
  capture = undefined;
  await lab?.destroy();
  lab = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!isRoot() || !haveKeepalived)('held sends in a vrrpd Master (needs root and keepalived)', () => {
  test('every advertisement sent is counted; an override is advertised at once and held again with its new priority', { timeout: 90_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const b = await lab.addHost('b', ['192.0.2.2/24']);
    const master = startVrrpd(a, instanceConfig({ priority: 150, version: 3, vip: `${VIP}/24` }));
    daemons.push(master);
    await waitFor('vrrpd to hold the VIP', () => holds(a, VIP), SETTLE_MS);
    daemons.push(startKeepalived(b, instanceConfig({ priority: 100, version: 3, vip: `${VIP}/24` })));
    const sent = async (): Promise<number> => (await vrrpdStatus(master))[0]!.statistics.advertisementsSent;
    // keepalived has started and heard us (it would have sent as Master otherwise, and took nothing).
    await sleep(5000);

    capture = await startCapture(a, 'ip proto 112');
    const file = capture.file;
    const before = await sent();
    await sleep(5000);
    const override = await promisify(execFile)('node', [vrrpdBin, 'priority', 'VI_1', '120', '--control-socket', master.controlSocket!]);
    expect(override.stdout).toBe('VI_1: priority 120 (base 150), Master\n');
    await sleep(5000);
    const after = await sent();
    await capture.stop();
    capture = undefined;

    const rows = captureFields(file, ['frame.time_epoch', 'ip.src', 'vrrp.prio']).map(([time, source, priority]) => ({ at: Number(time) * 1000, source, priority: Number(priority) }));
    expect(rows.filter((row) => row.source !== '192.0.2.1')).toEqual([]);
    // One a second for ten seconds, and the override's own.
    expect(rows.length).toBeGreaterThanOrEqual(10);
    // The count read just before the capture's first and after its last: at most one on either
    // side of the capture's window is counted without being captured.
    expect(after - before - rows.length).toBeGreaterThanOrEqual(0);
    expect(after - before - rows.length).toBeLessThanOrEqual(2);
    const first120 = rows.findIndex((row) => row.priority === 120);
    expect(first120).toBeGreaterThanOrEqual(4);
    expect(rows.slice(0, first120).every((row) => row.priority === 150)).toBe(true);
    expect(rows.slice(first120).every((row) => row.priority === 120)).toBe(true);
    expect(rows.length - first120).toBeGreaterThanOrEqual(5);
    // The override went out at once, between two scheduled ones, and the rhythm counts from it.
    const [previous, atOnce, next] = [rows[first120 - 1]!, rows[first120]!, rows[first120 + 1]!];
    expect(atOnce.at - previous.at).toBeLessThan(1000);
    expect(next.at - atOnce.at).toBeGreaterThanOrEqual(999);
    expect(await holds(b, VIP)).toBe(false);
    expect(await holds(a, VIP)).toBe(true);
    console.info(`held sends: ${after - before} counted, ${rows.length} captured; override at row ${first120}, next ${(next.at - atOnce.at).toFixed(1)} ms after it`);
  });
});
