// Held repeats in a running vrrpd Backup (src/vrrp/protocol/held-repeats.ts, the IPv4 socket's
// count): behind keepalived as Master, every advertisement on the wire is in the Backup's
// statistics, and when the Master stops the Backup takes over Master_Down_Interval after the last
// one it heard, not sooner (a held count that lost the last repeat's arrival would take over
// early) and not later than the bound.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { masterDownInterval } from '../../src/vrrp/protocol/timers.js';
import { captureFields, startCapture, type Capture } from '../helpers/capture.js';
import { holds, instanceConfig, startKeepalived, startVrrpd, vrrpdStatus, waitFor, type RunningDaemon } from '../helpers/daemons.js';
import { isRoot, NamespaceLab, sweepStaleLabs } from '../helpers/netns.js';

const haveKeepalived = spawnSync('keepalived', ['--version'], { stdio: 'ignore' }).status === 0;
const VIP = '192.0.2.100';
/** A loaded machine's reading of the takeover, as the interoperation tests allow. */
const MARGIN_MS = 600;
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

describe.skipIf(!isRoot() || !haveKeepalived)('held repeats in a vrrpd Backup (needs root and keepalived)', () => {
  test('every advertisement counted; the takeover Master_Down_Interval after the last one heard', { timeout: 60_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const b = await lab.addHost('b', ['192.0.2.2/24']);
    const keepalived = startKeepalived(a, instanceConfig({ priority: 150, version: 3, vip: `${VIP}/24` }));
    daemons.push(keepalived);
    await waitFor('keepalived to hold the VIP', () => holds(a, VIP), 10_000);
    const backup = startVrrpd(b, instanceConfig({ priority: 100, version: 3, vip: `${VIP}/24` }));
    daemons.push(backup);
    const received = async (): Promise<number> => (await vrrpdStatus(backup))[0]!.statistics.advertisementsReceived;
    await waitFor('vrrpd to follow keepalived', async () => {
      const status = await vrrpdStatus(backup).catch(() => []);
      return status[0]?.state === 'Backup' && (status[0]?.statistics.advertisementsReceived ?? 0) >= 2;
    }, 15_000);

    capture = await startCapture(b, 'ip proto 112');
    const file = capture.file;
    const before = await received();
    await new Promise((resolve) => setTimeout(resolve, 6000));
    // keepalived stops advertising (its VRRP process is a child of the one started): what it sent
    // is on the wire and in the Backup's socket.
    const pid = keepalived.process.pid!;
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
    expect(children.length).toBeGreaterThan(0);
    for (const child of [pid, ...children]) process.kill(child, 'SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = await received();
    await waitFor('vrrpd to take over', () => holds(b, VIP), 10_000);
    await capture.stop();
    capture = undefined;
    for (const child of [pid, ...children]) process.kill(child, 'SIGKILL');

    const rows = captureFields(file, ['frame.time_epoch', 'ip.src']).map(([time, source]) => ({ at: Number(time) * 1000, source }));
    const fromMaster = rows.filter((row) => row.source === '192.0.2.1');
    const ours = rows.filter((row) => row.source === '192.0.2.2');
    // One a second for six seconds; one may have come between the capture's start and the first reading.
    expect(fromMaster.length).toBeGreaterThanOrEqual(5);
    expect(Math.abs(after - before - fromMaster.length)).toBeLessThanOrEqual(1);
    // RFC 5798 §6.4.2: Master_Down_Interval from the last advertisement, on the Backup's own capture.
    const silence = ours[0]!.at - fromMaster.at(-1)!.at;
    const bound = masterDownInterval(3, 100, 1000);
    expect(silence).toBeGreaterThanOrEqual(bound - 2);
    expect(silence).toBeLessThan(bound + MARGIN_MS);
    console.info(`held repeats: ${after - before} counted, ${fromMaster.length} captured; takeover ${silence.toFixed(1)} ms after the last (Master_Down_Interval ${bound} ms)`);
  });
});
