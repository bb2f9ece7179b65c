// Failover: a Master dies (its namespace frozen then SIGKILLed) or stops gracefully (SIGTERM,
// priority 0); how long until the Backup has taken the VIP and its first gratuitous ARP is on the
// wire, measured from a capture on an observer host. vrrpd pairs and keepalived pairs alternate
// trial by trial in the same lab.
import { masterDownInterval, skewTime } from '../src/vrrp/protocol/timers.js';
import { crashHost, holds, IMPLEMENTATIONS, keepalivedConf, killDaemon, nowEpochMs, poll, sleep, startDaemon, type Implementation } from './lib/daemons.js';
import { captureVrrpAndArp, macOf, newLab } from './lib/lab.js';
import type { BenchOptions, BenchReport } from './lib/report.js';
import { fmt, median, p99, ratio, table } from './lib/stats.js';
import { readWire } from './lib/wire.js';

const VIP = '192.0.2.100';
const MASTER_PRIORITY = 150;
const BACKUP_PRIORITY = 100;

export interface FailoverScenario {
  readonly kind: 'crash' | 'sigterm';
  readonly advertIntS: number;
}

export interface FailoverTrial {
  readonly implementation: Implementation;
  readonly scenario: FailoverScenario;
  /** Kill (or SIGTERM) to the Backup's first gratuitous ARP for the VIP, from the capture. */
  readonly garpMs: number;
  /** Kill to the Backup's first advertisement, from the capture. */
  readonly advertMs: number;
  /** Kill to the VIP seen on the Backup by polling `ip addr` (10 ms polls). */
  readonly holdMs: number;
  /** The old Master's last advertisement before the kill, ms before it. */
  readonly lastAdvertBeforeMs: number;
  /** SIGTERM to the stopping Master's priority-0 advertisement on the wire (NaN for a crash). */
  readonly priorityZeroMs: number;
  /** The Backup's part of a SIGTERM hand-over: priority 0 on the wire to its first advertisement, and to its gratuitous ARP (NaN for a crash). */
  readonly takeoverAdvertMs: number;
  readonly takeoverGarpMs: number;
  /**
   * vrrpd's stopping Master (SIGTERM): what its native signal handler met, from its 'stopping'
   * log line, in ms from the kill (the bench's clock, the daemon's CLOCK_REALTIME). Tells a late
   * priority 0 apart: the handler not in place, the signal late to the loop's thread, nothing
   * armed, or a send that left late.
   */
  readonly masterHandler?: MasterHandlerTrace;
}

export interface MasterHandlerTrace {
  /** The handler's first run (any thread), its sending began, its last sendto returned. */
  readonly enteredMs?: number;
  readonly sendingMs?: number;
  readonly sentMs?: number;
  /** JavaScript's SIGTERM listener ran. */
  readonly heardMs?: number;
  readonly forwarded?: boolean;
  readonly armed?: number;
  readonly sent?: number;
  readonly installed?: boolean;
  readonly by?: string;
  /** The watcher thread woke (signal_resignation.cc), and whether it ran SCHED_FIFO. */
  readonly watcherWokeMs?: number;
  readonly watcherRealtime?: boolean;
}

export function failoverScenarios(options: BenchOptions): FailoverScenario[] {
  if (options.mode === 'tiny') return [{ kind: 'crash', advertIntS: 0.1 }];
  const all: FailoverScenario[] = [
    { kind: 'crash', advertIntS: 1 },
    { kind: 'crash', advertIntS: 0.1 },
    { kind: 'crash', advertIntS: 0.02 },
    { kind: 'sigterm', advertIntS: 1 },
    { kind: 'sigterm', advertIntS: 0.02 },
  ];
  const chosen = options.scenarios;
  if (!chosen) return all;
  for (const name of chosen) {
    if (!all.some((s) => scenarioKey(s) === name)) throw new Error(`unknown failover scenario "${name}"; known: ${all.map(scenarioKey).join(', ')}`);
  }
  return all.filter((s) => chosen.includes(scenarioKey(s)));
}

/** The command-line name of a scenario: `sigterm@20`. */
function scenarioKey(s: FailoverScenario): string {
  return `${s.kind}@${s.advertIntS * 1000}`;
}

export function boundMs(s: FailoverScenario): number {
  const interval = s.advertIntS * 1000;
  return s.kind === 'crash' ? masterDownInterval(3, BACKUP_PRIORITY, interval) : skewTime(3, BACKUP_PRIORITY, interval);
}

export async function failoverBench(options: BenchOptions): Promise<BenchReport> {
  const trials = options.trials ?? { full: 20, quick: 5, tiny: 1 }[options.mode];
  const lab = await newLab();
  const results: FailoverTrial[] = [];
  const scenarios = failoverScenarios(options);
  try {
    const m = await lab.addHost('m', ['192.0.2.1/24']);
    const b = await lab.addHost('b', ['192.0.2.2/24']);
    const obs = await lab.addHost('obs', ['192.0.2.9/24']);
    const backupMac = await macOf(b);
    for (const scenario of scenarios) {
      const capture = await captureVrrpAndArp(obs);
      const pending: Array<{ implementation: Implementation; killAt: number; holdMs: number; masterLines: readonly string[] }> = [];
      for (let i = 0; i < trials; i++) {
        for (const implementation of IMPLEMENTATIONS) {
          const trial = await oneTrial(implementation, scenario, m, b);
          if (trial) pending.push({ implementation, ...trial });
          else options.log(`  ${implementation} ${label(scenario)} trial ${i + 1}: no failover seen (skipped)`);
        }
      }
      await sleep(200);
      await capture.stop();
      const wire = readWire(capture.file);
      for (const p of pending) {
        const garp = wire.garps.find((g) => g.t > p.killAt && g.address === VIP && g.mac === backupMac);
        const advert = wire.adverts.find((a) => a.t > p.killAt && a.source === '192.0.2.2' && a.priority > 0);
        const lastMaster = [...wire.adverts].reverse().find((a) => a.t <= p.killAt && a.source === '192.0.2.1');
        // From a millisecond before the kill: the kill instant is the bench's performance clock
        // (timeOrigin + now), the capture's is the kernel's CLOCK_REALTIME, and they drift apart by
        // a fraction of a millisecond over a run; a priority 0 sent 0.05 ms after the kill (vrrpd's
        // watcher thread) read as before it in 3 of 20 trials, and the next trial's, 650 ms on, was
        // taken instead. A Master sends priority 0 only when it stops, so nothing else matches.
        const priorityZero = wire.adverts.find((a) => a.t > p.killAt - 1 && a.source === '192.0.2.1' && a.priority === 0);
        const masterHandler = p.implementation === 'vrrpd' && scenario.kind === 'sigterm' ? handlerTrace(p.masterLines, p.killAt) : undefined;
        if (masterHandler) options.log(`    vrrpd trial ${pending.filter((q) => q.implementation === 'vrrpd').indexOf(p) + 1}: priority 0 on the wire ${priorityZero ? fmt(priorityZero.t - p.killAt) : '-'} ms; handler ${describeHandler(masterHandler)}`);
        results.push({
          implementation: p.implementation,
          scenario,
          garpMs: garp ? garp.t - p.killAt : Number.NaN,
          advertMs: advert ? advert.t - p.killAt : Number.NaN,
          holdMs: p.holdMs,
          lastAdvertBeforeMs: lastMaster ? p.killAt - lastMaster.t : Number.NaN,
          priorityZeroMs: scenario.kind === 'sigterm' && priorityZero ? priorityZero.t - p.killAt : Number.NaN,
          takeoverAdvertMs: scenario.kind === 'sigterm' && priorityZero && advert ? advert.t - priorityZero.t : Number.NaN,
          takeoverGarpMs: scenario.kind === 'sigterm' && priorityZero && garp ? garp.t - priorityZero.t : Number.NaN,
          ...(masterHandler ? { masterHandler } : {}),
        });
      }
      const row = summaryRow(scenario, results);
      options.log(`  ${row.join('  ')}`);
    }
  } finally {
    await lab.destroy();
  }
  const rows = scenarios.map((s) => summaryRow(s, results));
  const text = table(
    ['scenario', 'bound ms', 'vrrpd median', 'vrrpd p99', 'keepalived median', 'keepalived p99', 'ratio median', 'ratio p99', 'vrrpd p99 from last advert', 'keepalived p99 from last advert', 'stop to priority 0 median (vrrpd / keepalived)', 'priority 0 to advert, GARP median (vrrpd / keepalived)', 'n'],
    rows,
  );
  return {
    name: 'failover',
    title: 'Failover: kill (or SIGTERM) of the Master to the Backup\'s first gratuitous ARP on the wire (ms)',
    text:
      text +
      '\n\nbound: Master_Down_Interval (crash) or Skew_Time (SIGTERM) of the Backup (v3, priority 100). ' +
      'Timestamps: capture on an observer host; kill instant taken in the bench process just before SIGSTOP/SIGKILL of every process of the Master\'s namespace, at a random phase of the advertisement period. ' +
      '"from last advert": the old Master\'s last advertisement on the wire to the Backup\'s first gratuitous ARP, the span Master_Down_Interval bounds. ' +
      '"stop to priority 0": SIGTERM to the stopping Master\'s priority-0 advertisement on the wire. ' +
      '"priority 0 to advert, GARP": the Backup\'s part, from that advertisement on the wire to its own first advertisement and gratuitous ARP (Skew_Time bounds it).',
    data: { trials: results },
  };
}

/** The stopping Master's 'stopping' log line's signalHandler, in ms from `killAt`. */
function handlerTrace(lines: readonly string[], killAt: number): MasterHandlerTrace | undefined {
  for (const line of lines) {
    if (!line.includes('"stopping"')) continue;
    let parsed: { event?: string; signalHandler?: Record<string, number | boolean | string> };
    try {
      parsed = JSON.parse(line) as typeof parsed;
    } catch {
      continue;
    }
    const h = parsed.signalHandler;
    if (parsed.event !== 'stopping' || !h) continue;
    const since = (key: string): { [k: string]: number } => (typeof h[key] === 'number' ? { [key.replace(/AtMs$/, 'Ms')]: (h[key] as number) - killAt } : {});
    const flag = (key: string): { [k: string]: boolean | number | string } => (h[key] !== undefined ? { [key]: h[key] as boolean | number | string } : {});
    return { ...since('enteredAtMs'), ...since('sendingAtMs'), ...since('sentAtMs'), ...since('heardAtMs'), ...since('watcherWokeAtMs'), ...flag('forwarded'), ...flag('armed'), ...flag('sent'), ...flag('installed'), ...flag('by'), ...flag('watcherRealtime') };
  }
  return undefined;
}

function describeHandler(h: MasterHandlerTrace): string {
  const at = (v: number | undefined): string => (v === undefined ? '-' : fmt(v));
  const watcher = h.watcherRealtime === undefined ? '' : `; watcher${h.watcherRealtime ? ' (FIFO)' : ''} woke ${at(h.watcherWokeMs)}`;
  return `entered ${at(h.enteredMs)}${h.forwarded ? ' (forwarded)' : ''}${watcher}; sending ${at(h.sendingMs)} by ${h.by ?? '-'}, sent ${at(h.sentMs)} (${h.sent ?? '-'}/${h.armed ?? '-'} armed), JS heard ${at(h.heardMs)}, installed ${h.installed ?? '-'}`;
}

function label(s: FailoverScenario): string {
  return `${s.kind} @${s.advertIntS * 1000} ms`;
}

function summaryRow(scenario: FailoverScenario, results: readonly FailoverTrial[]): string[] {
  const of = (impl: Implementation): number[] =>
    results.filter((r) => r.implementation === impl && r.scenario === scenario && Number.isFinite(r.garpMs)).map((r) => r.garpMs);
  const v = of('vrrpd');
  const k = of('keepalived');
  const detection = (impl: Implementation): number[] =>
    results
      .filter((r) => r.implementation === impl && r.scenario === scenario && Number.isFinite(r.garpMs) && Number.isFinite(r.lastAdvertBeforeMs))
      .map((r) => r.garpMs + r.lastAdvertBeforeMs);
  const dv = detection('vrrpd');
  const dk = detection('keepalived');
  const priorityZero = (impl: Implementation): number[] =>
    results.filter((r) => r.implementation === impl && r.scenario === scenario && Number.isFinite(r.priorityZeroMs)).map((r) => r.priorityZeroMs);
  const zeroColumn = scenario.kind === 'sigterm' ? `${fmt(median(priorityZero('vrrpd')))} / ${fmt(median(priorityZero('keepalived')))}` : '-';
  const takeover = (impl: Implementation, field: 'takeoverAdvertMs' | 'takeoverGarpMs'): number[] =>
    results.filter((r) => r.implementation === impl && r.scenario === scenario && Number.isFinite(r[field])).map((r) => r[field]);
  const takeoverColumn =
    scenario.kind === 'sigterm'
      ? `${fmt(median(takeover('vrrpd', 'takeoverAdvertMs')))}, ${fmt(median(takeover('vrrpd', 'takeoverGarpMs')))} / ${fmt(median(takeover('keepalived', 'takeoverAdvertMs')))}, ${fmt(median(takeover('keepalived', 'takeoverGarpMs')))}`
      : '-';
  return [
    label(scenario),
    fmt(boundMs(scenario)),
    fmt(median(v)),
    fmt(p99(v)),
    fmt(median(k)),
    fmt(p99(k)),
    ratio(median(v), median(k)),
    ratio(p99(v), p99(k)),
    fmt(p99(dv)),
    fmt(p99(dk)),
    zeroColumn,
    takeoverColumn,
    `${v.length}/${k.length}`,
  ];
}

async function oneTrial(
  implementation: Implementation,
  scenario: FailoverScenario,
  m: Parameters<typeof holds>[0],
  b: Parameters<typeof holds>[0],
): Promise<{ killAt: number; holdMs: number; masterLines: readonly string[] } | undefined> {
  const interval = scenario.advertIntS * 1000;
  const conf = (priority: number): string =>
    keepalivedConf([{ name: 'VI_1', interfaceName: 'eth0', vrid: 51, priority, version: 3, advertIntS: scenario.advertIntS, vips: [`${VIP}/24`] }]);
  const master = startDaemon(implementation, m, conf(MASTER_PRIORITY));
  const backup = startDaemon(implementation, b, conf(BACKUP_PRIORITY));
  try {
    const settled = await poll(async () => (await holds(m, VIP)) && !(await holds(b, VIP)), 15_000, 20);
    if (!settled) return undefined;
    // Both have run a while in their steady state (the Backup heard several advertisements). The
    // random part puts the kill at a random phase of the advertisement period: a fixed wait kept
    // landing just before (or after) the Master's next advertisement and biased the figures.
    await sleep(Math.max(5 * interval, 300) + Math.random() * interval);
    if (!(await holds(m, VIP)) || (await holds(b, VIP))) return undefined;
    let killAt: number;
    if (scenario.kind === 'crash') killAt = await crashHost(m);
    else {
      killAt = nowEpochMs();
      master.process.kill('SIGTERM');
    }
    const took = await poll(() => holds(b, VIP), 10_000, 5);
    const holdMs = nowEpochMs() - killAt;
    if (!took) return undefined;
    // Let the first gratuitous ARP reach the capture.
    await sleep(100);
    return { killAt, holdMs, masterLines: master.lines };
  } finally {
    await killDaemon(backup);
    await killDaemon(master);
    for (const host of [m, b]) await host.ip('addr', 'del', `${VIP}/24`, 'dev', 'eth0').catch(() => undefined);
  }
}
