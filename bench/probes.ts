// Probes: what Kubernetes' liveness and readiness probes cost, side by side in one run against one
// vrrpd (Master of one instance, 1 s adverts): the exec probe the manifests used (`vrrpd status`,
// a Node process per probe) and the httpGet probes they use now (GET /livez and /readyz of
// `--health`). Per probe: the prober's CPU (exec: the `vrrpd status` process, from GNU time;
// HTTP: a Node client on a new connection per GET, standing in for the kubelet's Go client) and
// the daemon's (its /proc/PID/stat CPU over the probes, less its idle rate over as long). Per hour:
// the manifests' two probes every 10 s each. The kubelet's own exec overhead (a `runc exec` per
// exec probe) comes on top of the exec figures and is not measured here.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { holds, keepalivedConf, killDaemon, poll, sleep, startDaemon, type BenchDaemon } from './lib/daemons.js';
import { newLab } from './lib/lab.js';
import type { BenchOptions, BenchReport } from './lib/report.js';
import { daemonRoot, repoRoot } from './lib/root.js';
import { fmt, median, table } from './lib/stats.js';

const HEALTH = { host: '127.0.0.1', port: 9651 };
/** The manifests' probes: liveness and readiness, each every 10 s. */
const PROBE_PERIOD_S = 10;
const PROBES_PER_HOUR_EACH = 3600 / PROBE_PERIOD_S;
/** USER_HZ: /proc/PID/stat counts CPU time in these ticks. */
const TICK_MS = 10;

interface ProbeFigures {
  readonly probe: string;
  readonly n: number;
  /** Per probe, ms. */
  readonly proberCpuMs: number;
  readonly daemonCpuMs: number;
  readonly wallMs: number;
  readonly proberPeakRssMb: number;
  readonly failures: number;
}

export async function probesBench(options: BenchOptions): Promise<BenchReport> {
  const counts = { full: { exec: 30, http: 2000, idleMs: 10_000 }, quick: { exec: 10, http: 500, idleMs: 5000 }, tiny: { exec: 3, http: 100, idleMs: 2000 } }[options.mode];
  const execCount = options.trials ?? counts.exec;
  const lab = await newLab();
  const figures: ProbeFigures[] = [];
  let idleMsPerS = Number.NaN;
  try {
    const host = await lab.addHost('d', ['192.0.2.1/24']);
    const conf = keepalivedConf([{ name: 'VI_1', interfaceName: 'eth0', vrid: 51, priority: 150, version: 3, advertIntS: 1, vips: ['192.0.2.100/24'] }]);
    const daemon = startDaemon('vrrpd', host, conf, {}, [], ['--health', `${HEALTH.host}:${HEALTH.port}`]);
    if (!(await poll(async () => holds(host, '192.0.2.100'), 10_000, 50))) throw new Error(`vrrpd did not become Master: ${daemon.lines.join('\n')}`);
    await sleep(1000);

    // The daemon's own rate while nothing probes it (adverts, timers).
    const idle = await daemonCpuOver(daemon, () => sleep(counts.idleMs));
    idleMsPerS = idle.cpuMs / (idle.wallMs / 1000);
    options.log(`idle vrrpd: ${fmt(idleMsPerS, 2)} ms CPU per s`);

    // Exec: `vrrpd status`, as the manifests' exec probes ran it, one after the other.
    const execRuns: Array<{ wallMs: number; cpuMs: number; rssMb: number; ok: boolean }> = [];
    const exec = await daemonCpuOver(daemon, async () => {
      for (let i = 0; i < execCount; i++) execRuns.push(await timedStatus(daemon));
    });
    figures.push({
      probe: 'exec `vrrpd status`',
      n: execRuns.length,
      proberCpuMs: mean(execRuns.map((run) => run.cpuMs)),
      daemonCpuMs: Math.max(0, exec.cpuMs - idleMsPerS * (exec.wallMs / 1000)) / execRuns.length,
      wallMs: median(execRuns.map((run) => run.wallMs)),
      proberPeakRssMb: median(execRuns.map((run) => run.rssMb)),
      failures: execRuns.filter((run) => !run.ok).length,
    });

    // HTTP: the prober runs in the daemon's namespace (the listener is on its loopback).
    for (const path of ['/livez', '/readyz']) {
      let result: { statuses: Record<string, number>; wallMs: number[]; cpuUs: number } | undefined;
      const http = await daemonCpuOver(daemon, async () => {
        const { stdout } = await host.exec('node', [join(repoRoot(), 'bench', 'http-prober.mjs'), `http://${HEALTH.host}:${HEALTH.port}${path}`, String(counts.http), '0']);
        result = JSON.parse(stdout) as typeof result;
      });
      if (!result) throw new Error(`no result from the HTTP prober for ${path}`);
      figures.push({
        probe: `httpGet ${path}`,
        n: counts.http,
        proberCpuMs: result.cpuUs / 1000 / counts.http,
        daemonCpuMs: Math.max(0, http.cpuMs - idleMsPerS * (http.wallMs / 1000)) / counts.http,
        wallMs: median(result.wallMs),
        proberPeakRssMb: Number.NaN,
        failures: counts.http - (result.statuses['200'] ?? 0),
      });
    }
    await killDaemon(daemon);
  } finally {
    await lab.destroy();
  }

  const total = (f: ProbeFigures): number => f.proberCpuMs + f.daemonCpuMs;
  const perProbe = table(
    ['probe', 'n', 'prober CPU ms', 'vrrpd CPU ms', 'total CPU ms', 'wall ms (median)', 'prober peak RSS MB', 'failed'],
    figures.map((f) => [f.probe, String(f.n), fmt(f.proberCpuMs, 2), fmt(f.daemonCpuMs, 3), fmt(total(f), 2), fmt(f.wallMs, 1), fmt(f.proberPeakRssMb, 0), String(f.failures)]),
  );
  const [exec, livez, readyz] = figures;
  const hourly = [
    { name: 'before: exec `vrrpd status` for both', cpuMs: exec ? 2 * PROBES_PER_HOUR_EACH * total(exec) : Number.NaN },
    { name: 'after: httpGet /livez and /readyz', cpuMs: livez && readyz ? PROBES_PER_HOUR_EACH * (total(livez) + total(readyz)) : Number.NaN },
  ];
  const perHour = table(
    [`liveness + readiness every ${PROBE_PERIOD_S} s (${2 * PROBES_PER_HOUR_EACH} probes/h)`, 'CPU s per hour', 'average millicores'],
    hourly.map((h) => [h.name, fmt(h.cpuMs / 1000, 2), fmt(h.cpuMs / 3600, 2)]),
  );
  return {
    name: 'probes',
    title: 'Kubernetes probes: exec `vrrpd status` against httpGet of the health endpoints, CPU per probe and per hour',
    text: `${perProbe}\n\n${perHour}\n\nvrrpd idle: ${fmt(idleMsPerS, 2)} ms CPU per s (subtracted from its figures). Not included: the kubelet's runc exec per exec probe.`,
    data: { figures, idleMsPerS, probePeriodS: PROBE_PERIOD_S },
  };
}

/** The daemon's CPU (ms, from /proc/PID/stat) and the wall time while `work` runs. */
async function daemonCpuOver(daemon: BenchDaemon, work: () => Promise<void>): Promise<{ cpuMs: number; wallMs: number }> {
  const [cpu, wall] = [cpuTicks(daemon.pid), performance.now()];
  await work();
  return { cpuMs: (cpuTicks(daemon.pid) - cpu) * TICK_MS, wallMs: performance.now() - wall };
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm)": state is the first; utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** One `vrrpd status` under GNU time: its wall time, CPU (user + system) and peak RSS. */
async function timedStatus(daemon: BenchDaemon): Promise<{ wallMs: number; cpuMs: number; rssMb: number; ok: boolean }> {
  if (!daemon.controlSocket) throw new Error('vrrpd has a control socket');
  const run = promisify(execFile)('/usr/bin/time', ['-f', 'probe-time %e %U %S %M', 'node', join(daemonRoot(), 'bin', 'vrrpd'), 'status', '--control-socket', daemon.controlSocket]);
  const { stderr, ok } = await run.then(
    ({ stderr }) => ({ stderr, ok: true }),
    (error: { stderr: string }) => ({ stderr: error.stderr, ok: false }),
  );
  const match = /probe-time ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
  if (!match) throw new Error(`GNU time printed no figures: ${stderr}`);
  const [wall, user, system, rssKb] = match.slice(1).map(Number) as [number, number, number, number];
  return { wallMs: wall * 1000, cpuMs: (user + system) * 1000, rssMb: rssKb / 1024, ok };
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}
