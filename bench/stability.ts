// Stability at 20 ms advertisements (v3) with both cores loaded by a CPU hog, in three phases:
// hog only; hog + the Master stalled 200 ms every 3 s; hog + the Backup stalled likewise. A vrrpd
// pair (VRID 51) and a keepalived pair (VRID 52) run side by side on one LAN, so both see the same
// load. vrrpd is stalled through its test hook (test-block-event-loop: its event loop spins);
// keepalived, which has no such hook, is stopped with SIGSTOP/SIGCONT for the same 200 ms.
// Counted from an observer's capture: mastership changes on the wire and the Master's
// advertisement period (p50 / p99 / max).
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { masterDownInterval } from '../src/vrrp/protocol/timers.js';
import { control, holds, keepalivedConf, namespacePids, poll, signalQuietly, sleep, startDaemon, nowEpochMs, type BenchDaemon, type Implementation } from './lib/daemons.js';
import { captureVrrpAndArp, newLab } from './lib/lab.js';
import type { BenchOptions, BenchReport } from './lib/report.js';
import { fmt, max, median, p99, table } from './lib/stats.js';
import { readWire, type WireAdvert } from './lib/wire.js';
import type { LabHost } from '../test/helpers/netns.js';

const INTERVAL_S = 0.02;
const STALL_MS = 200;
/** Every 3 s (shorter when a phase is, so the tiny run stalls too). */
const STALL_EVERY_MS = 3000;
type Phase = 'hog' | 'hog + Master stalls' | 'hog + Backup stalls';
const PHASES: readonly Phase[] = ['hog', 'hog + Master stalls', 'hog + Backup stalls'];

interface Pair {
  readonly implementation: Implementation;
  readonly vrid: number;
  readonly vip: string;
  readonly masterIp: string;
  readonly backupIp: string;
  master?: BenchDaemon;
  backup?: BenchDaemon;
  readonly masterHost: LabHost;
  readonly backupHost: LabHost;
}

export interface PhaseFigures {
  readonly implementation: Implementation;
  readonly phase: Phase;
  readonly stalls: number;
  /** Times the Backup was heard advertising after the Master (each is a takeover, i.e. 2 transitions). */
  readonly backupTakeovers: number;
  readonly gapP50: number;
  readonly gapP99: number;
  readonly gapMax: number;
  readonly adverts: number;
}

export async function stabilityBench(options: BenchOptions): Promise<BenchReport> {
  const minutes = options.minutes ?? { full: 10, quick: 5, tiny: 0.15 }[options.mode];
  const phaseMs = (minutes * 60_000) / PHASES.length;
  const lab = await newLab();
  const hogs: ChildProcess[] = [];
  const figures: PhaseFigures[] = [];
  const windows: Array<{ phase: Phase; from: number; to: number; stalls: number }> = [];
  try {
    const vm = await lab.addHost('vm', ['192.0.2.1/24']);
    const vb = await lab.addHost('vb', ['192.0.2.2/24']);
    const km = await lab.addHost('km', ['192.0.2.3/24']);
    const kb = await lab.addHost('kb', ['192.0.2.4/24']);
    const obs = await lab.addHost('obs', ['192.0.2.9/24']);
    const pairs: Pair[] = [
      { implementation: 'vrrpd', vrid: 51, vip: '192.0.2.100', masterIp: '192.0.2.1', backupIp: '192.0.2.2', masterHost: vm, backupHost: vb },
      { implementation: 'keepalived', vrid: 52, vip: '192.0.2.101', masterIp: '192.0.2.3', backupIp: '192.0.2.4', masterHost: km, backupHost: kb },
    ];
    for (const pair of pairs) {
      const conf = (priority: number): string =>
        keepalivedConf([{ name: 'VI_1', interfaceName: 'eth0', vrid: pair.vrid, priority, version: 3, advertIntS: INTERVAL_S, vips: [`${pair.vip}/24`] }]);
      pair.master = startDaemon(pair.implementation, pair.masterHost, conf(150), { VRRPD_TEST_HOOKS: '1' });
      pair.backup = startDaemon(pair.implementation, pair.backupHost, conf(100), { VRRPD_TEST_HOOKS: '1' });
    }
    for (const pair of pairs) {
      if (!(await poll(() => holds(pair.masterHost, pair.vip), 15_000, 20))) throw new Error(`${pair.implementation}: the Master never took the VIP`);
    }
    await sleep(1000);
    const capture = await captureVrrpAndArp(obs);
    for (let i = 0; i < cpus().length; i++) hogs.push(spawn('node', ['-e', 'for(;;){}'], { stdio: 'ignore' }));
    await sleep(500);
    for (const phase of PHASES) {
      const from = nowEpochMs();
      let stalls = 0;
      options.log(`  phase "${phase}" for ${(phaseMs / 1000).toFixed(0)} s`);
      const every = Math.min(STALL_EVERY_MS, phaseMs / 3);
      while (nowEpochMs() - from < phaseMs) {
        await sleep(Math.min(every, Math.max(0, phaseMs - (nowEpochMs() - from))));
        if (phase === 'hog' || nowEpochMs() - from >= phaseMs) continue;
        const role = phase === 'hog + Master stalls' ? 'master' : 'backup';
        await Promise.all(pairs.map((pair) => stall(pair[role]!)));
        stalls++;
      }
      windows.push({ phase, from, to: nowEpochMs(), stalls });
    }
    for (const hog of hogs) hog.kill('SIGKILL');
    await capture.stop();
    const wire = readWire(capture.file);
    for (const pair of pairs) {
      for (const w of windows) {
        const adverts = wire.adverts.filter((a) => a.vrid === pair.vrid && a.t >= w.from && a.t < w.to);
        figures.push(phaseFigures(pair, w.phase, w.stalls, adverts));
      }
    }
  } finally {
    for (const hog of hogs) hog.kill('SIGKILL');
    await lab.destroy();
  }
  const rows = figures.map((f) => [f.phase, f.implementation, String(f.stalls), String(f.backupTakeovers), fmt(f.gapP50), fmt(f.gapP99), fmt(f.gapMax), String(f.adverts)]);
  const mdi = masterDownInterval(3, 100, INTERVAL_S * 1000);
  return {
    name: 'stability',
    title: `Stability: v3 at 20 ms adverts, both cores busy with a CPU hog, ${minutes} min in three phases; stalls of ${STALL_MS} ms every ${STALL_EVERY_MS / 1000} s`,
    text:
      table(['phase', 'daemon (vrrpd / keepalived)', 'stalls', 'Backup takeovers', 'Master gap p50 ms', 'gap p99 ms', 'gap max ms', 'adverts'], rows) +
      `\n\nA takeover is the Backup heard advertising after the Master: two spurious transitions (Backup->Master, then back). ` +
      `Master_Down_Interval of the Backup: ${fmt(mdi)} ms, so a ${STALL_MS} ms stall of the Master must cause one; a stalled Backup may or may not, depending on whether its expired timer runs before the queued advertisements are read. ` +
      'vrrpd is stalled by spinning its event loop (test hook); keepalived by SIGSTOP/SIGCONT of its processes.',
    data: { figures, windows },
  };
}

/** One 200 ms stall: vrrpd spins its own event loop; keepalived is stopped and continued. */
async function stall(daemon: BenchDaemon): Promise<void> {
  if (daemon.kind === 'vrrpd') {
    await control(daemon, 'test-block-event-loop', { ms: STALL_MS }, 5000);
    return;
  }
  const pids = await namespacePids(daemon.host);
  for (const pid of pids) signalQuietly(pid, 'SIGSTOP');
  await sleep(STALL_MS);
  for (const pid of pids) signalQuietly(pid, 'SIGCONT');
}

function phaseFigures(pair: Pair, phase: Phase, stalls: number, adverts: readonly WireAdvert[]): PhaseFigures {
  let takeovers = 0;
  let previous: string | undefined;
  const gaps: number[] = [];
  let lastMasterAdvert: number | undefined;
  for (const a of adverts) {
    if (a.priority === 0) continue;
    if (a.source === pair.backupIp && previous === pair.masterIp) takeovers++;
    if (a.source === pair.masterIp) {
      if (lastMasterAdvert !== undefined) gaps.push(a.t - lastMasterAdvert);
      lastMasterAdvert = a.t;
    }
    previous = a.source;
  }
  return { implementation: pair.implementation, phase, stalls, backupTakeovers: takeovers, gapP50: median(gaps), gapP99: p99(gaps), gapMax: max(gaps), adverts: adverts.length };
}
