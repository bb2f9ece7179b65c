// Built-in checkers against the same check as a curl vrrp_script: vrrpd tracking 1, 10 or 100
// vrrp_scripts that check nginx over HTTPS, every 1 s and every 100 ms, once as SSL_GET and once as
// `curl --silent --insecure https://.../readyz`. Per configuration: vrrpd's CPU over a steady
// window, every thread and child (a cgroup of its own, bench/lib/cpu.ts), its main thread's
// apart, the checks nginx actually served (its access log), CPU per check gross (the whole daemon's
// CPU over the checks, its idle CPU in it) and net (vrrpd with no check, run before and after each
// configuration over as long a window, taken off), vrrpd's RSS, and checks that failed while nginx
// was healthy. Beside them, in the same run and against the same nginx: keepalived 2.2.7's own
// checker process making the same SSL_GET at the same interval as a virtual_server's real_server
// check (it has no built-in vrrp_script checker; `keepalived -C`, with bench/ipvs-stub.c preloaded
// since this kernel has no IPVS), its CPU from a cgroup the same way, net of keepalived with a real
// server and no check; and the floors: the same HTTPS check in C (bench/tls-floor.c, OpenSSL, one
// blocking check per pause, at each configuration's rate) and made by a bare node process
// (bench/tls-floor.mjs), each net of its process only pausing. Then detection: one weight-0
// check, fall 3; nginx is stopped and the time to vrrpd's Fault (the VIP released) is taken from
// its log, against the bound fall x interval + timeout.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { killDaemon, nowEpochMs, poll, sleep, startDaemon, startKeepalivedChecker, holds, type BenchDaemon } from './lib/daemons.js';
import { newLab } from './lib/lab.js';
import type { BenchOptions, BenchReport } from './lib/report.js';
import { fmt, median, max, table } from './lib/stats.js';
import { makeCertificates, nginxConfig, serverDir, startNginx, type Running } from '../test/helpers/servers.js';
import type { LabHost } from '../test/helpers/netns.js';
import { repoRoot } from './lib/root.js';
import { CpuMeter } from './lib/cpu.js';

const SRV = '192.0.2.20';
const VIP = '192.0.2.100';
/**
 * The window starts this long after vrrpd did: V8's memory reducer runs its full collections 8-9 s
 * after start-up's allocations (--trace-gc: two, 55 ms together, with or without checks), a cost
 * of starting, not of checking.
 */
const SETTLE_MS = 12_000;
/** Checks a window holds at least: at one check a second a 10 s window was 10 checks. */
const MIN_CHECKS = 30;

/** keepalived's checker process settles in its first check (no JIT, no collector): its window starts this long after it did. */
const KEEPALIVED_SETTLE_MS = 3000;

/**
 * 'built-in': placed as vrrpd places them (src/linux/checkers/placement.ts); 'built-in, main loop':
 * all on vrrpd's main loop (VRRPD_CHECKER_THREAD=main), for their CPU side by side; 'keepalived':
 * keepalived 2.2.7's checker process making the same SSL_GET (a real_server check, not a vrrp_script).
 */
type Form = 'built-in' | 'built-in, main loop' | 'curl' | 'keepalived';
const FORMS: readonly Form[] = ['built-in', 'curl'];
const LOAD_FORMS: readonly Form[] = ['built-in', 'built-in, main loop', 'curl', 'keepalived'];

export interface LoadFigures {
  readonly form: Form;
  readonly intervalMs: number;
  readonly checks: number;
  /** Checks per second configured. */
  readonly asked: number;
  /** Requests nginx served per second in the window. */
  readonly served: number;
  /** % of one core: vrrpd and its children. */
  readonly cpuPct: number;
  readonly cpuMsPerCheck: number;
  /** % of one core: vrrpd's main thread (its event loop) alone; for keepalived, its checker process (one thread). */
  readonly mainPct: number;
  readonly windowS: number;
  /** CPU from a cgroup of vrrpd's own (ns, every child) rather than /proc's 10 ms ticks. */
  readonly precise: boolean;
  readonly rssMb: number;
  /** Tracker changes to failed while nginx served (false alarms). */
  readonly falseFailures: number;
}

/** A load run with the idle vrrpd measured beside it, for its net figure. */
export interface LoadWithIdle extends LoadFigures {
  /** % of one core: vrrpd with no check, the mean of the idle runs just before and just after this configuration's. */
  readonly idleCpuPct: number;
  /** % of one core: the same idle runs' main thread. */
  readonly idleMainPct: number;
  /** CPU ms per check served, the idle vrrpd's CPU taken off: the checks' own cost. */
  readonly netMsPerCheck: number;
}

/** bench/tls-floor.mjs: node:tls alone, CPU per check net of the same process only waking. */
export interface FloorFigures {
  readonly intervalMs: number;
  readonly worker: boolean;
  readonly tlsMsPerCheck: number;
  readonly wakeMsPerCheck: number;
}

/** bench/tls-floor.c at one configuration's rate: one blocking check per pause of interval / checks. */
export interface CFloorFigures {
  readonly intervalMs: number;
  readonly checks: number;
  readonly pauseMs: number;
  /** CPU ms per check, the same process only pausing taken off. */
  readonly netMsPerCheck: number;
  readonly pauseMsPerCheck: number;
}

export interface DetectionFigures {
  readonly form: Form;
  readonly intervalMs: number;
  readonly boundMs: number;
  readonly latenciesMs: readonly number[];
  /** Trials whose check never came OK with nginx up (the form cannot run at this interval). */
  readonly neverHealthy: number;
}

/** The vrrp_script body of one check, in either form, with `timeout` = interval (keepalived's default). */
function check(form: Form, name: string, intervalMs: number, extra: string): string {
  const seconds = intervalMs / 1000;
  const body =
    form === 'curl'
      ? `  script "curl --silent --insecure --max-time ${seconds} -o /dev/null https://${SRV}/readyz"\n`
      : `  SSL_GET {\n    url {\n      path /readyz\n    }\n    connect_ip ${SRV}\n    connect_timeout ${seconds}\n  }\n`;
  return `vrrp_script ${name} {\n${body}  interval ${seconds}\n  timeout ${seconds}\n${extra}}\n`;
}

function config(form: Form, intervalMs: number, checks: number, extra: string): string {
  const scripts = Array.from({ length: checks }, (_, i) => check(form, `chk_${i}`, intervalMs, extra)).join('');
  const tracked = Array.from({ length: checks }, (_, i) => `    chk_${i}`).join('\n');
  // No checks: vrrpd alone, its own CPU (advertisements, timers) to subtract from the others'.
  const track = checks > 0 ? `  track_script {\n${tracked}\n  }\n` : '';
  return (
    'global_defs {\n  script_user root\n}\n' +
    scripts +
    `vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  priority 150\n  advert_int 1\n  version 3\n${track}  virtual_ipaddress {\n    ${VIP}/24\n  }\n}\n`
  );
}

/**
 * keepalived's checker making the same check `checks` times per interval: one virtual_server per
 * check (a port each, nothing listens there: IPVS is stubbed), each with nginx as its real server
 * checked by SSL_GET every `delay_loop` = interval, connect_timeout = interval (the vrrp_script's
 * timeout). With `checks` 0, one real server and no check: keepalived's checker idle, to subtract.
 */
function keepalivedCheckerConfig(intervalMs: number, checks: number): string {
  const seconds = intervalMs / 1000;
  const check = checks > 0 ? `    SSL_GET {\n      url {\n        path /readyz\n      }\n      connect_timeout ${seconds}\n    }\n` : '';
  return Array.from(
    { length: Math.max(1, checks) },
    (_, i) => `virtual_server ${SRV} ${10_000 + i} {\n  delay_loop ${seconds}\n  lb_kind NAT\n  protocol TCP\n  real_server ${SRV} 443 {\n    weight 1\n${check}  }\n}\n`,
  ).join('');
}

/** bench/ipvs-stub.c and bench/tls-floor.c built into `dir`; undefined (and the columns left out) where gcc or libssl-dev is missing. */
function buildNative(dir: string, log: (line: string) => void): { ipvsStub: string; cFloor: string } | undefined {
  const ipvsStub = join(dir, 'ipvs-stub.so');
  const cFloor = join(dir, 'tls-floor');
  try {
    execFileSync('gcc', ['-O2', '-shared', '-fPIC', '-o', ipvsStub, join(repoRoot(), 'bench', 'ipvs-stub.c'), '-ldl'], { stdio: 'pipe' });
    execFileSync('gcc', ['-O2', '-o', cFloor, join(repoRoot(), 'bench', 'tls-floor.c'), '-lssl', '-lcrypto'], { stdio: 'pipe' });
    return { ipvsStub, cFloor };
  } catch (error) {
    log(`  no keepalived or C floor column: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    return undefined;
  }
}

/** bench/tls-floor.c in the daemon's host at a configuration's rate, with and without the check. */
async function cFloorRun(d: LabHost, binary: string, intervalMs: number, checks: number, count: number): Promise<CFloorFigures> {
  const pauseMs = Math.max(1, Math.round(intervalMs / checks));
  const once = async (tls: boolean): Promise<number> => {
    const { stdout } = await d.exec(binary, [String(pauseMs), String(count), tls ? '1' : '0', SRV, '/readyz']);
    return (JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { c_cpuMsPerCheck: number }).c_cpuMsPerCheck;
  };
  const [withCheck, pauseMsPerCheck] = await Promise.all([once(true), once(false)]);
  return { intervalMs, checks, pauseMs, netMsPerCheck: withCheck - pauseMsPerCheck, pauseMsPerCheck };
}

function rssKb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
}

/** bench/tls-floor.mjs in the daemon's host, with and without the TLS check. */
async function floorRun(d: LabHost, intervalMs: number, worker: boolean, checks: number): Promise<FloorFigures> {
  const once = async (tls: boolean): Promise<number> => {
    const { stdout } = await d.exec('node', [join(repoRoot(), 'bench', 'tls-floor.mjs'), JSON.stringify({ address: SRV, path: '/readyz', intervalMs, checks, tls, worker })]);
    return (JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { cpuMsPerCheck: number }).cpuMsPerCheck;
  };
  const [tlsMsPerCheck, wakeMsPerCheck] = await Promise.all([once(true), once(false)]);
  return { intervalMs, worker, tlsMsPerCheck, wakeMsPerCheck };
}

const lineCount = (file: string): number => {
  try {
    return readFileSync(file, 'utf8').split('\n').length - 1;
  } catch {
    return 0;
  }
};

/** vrrpd: trackers gone to failed; keepalived: real servers it found down ("Check on service ... failed", "... failed on service"). */
const failures = (daemon: BenchDaemon): number =>
  daemon.kind === 'keepalived'
    ? daemon.lines.filter((line) => /failed on service|Check on service .* failed/.test(line)).length
    : daemon.lines.filter((line) => line.includes('"event":"tracker-changed"') && line.includes('"state":"failed"')).length;

/** CPU ns of one thread (the first field of /proc/PID/task/PID/schedstat: time on a CPU). */
function schedstatNs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return Number.NaN;
  }
}

export async function checkersBench(options: BenchOptions): Promise<BenchReport> {
  const windowS = { full: 20, quick: 10, tiny: 2 }[options.mode];
  /** Long enough for MIN_CHECKS checks of each configuration; vrrpd with none is measured as long as at one check a second. */
  const windowFor = (asked: number): number => (options.mode === 'tiny' ? windowS : Math.max(windowS, Math.ceil(MIN_CHECKS / asked)));
  const counts = options.mode === 'tiny' ? [1, 10] : [1, 10, 100];
  const intervals = options.mode === 'tiny' ? [1000] : [1000, 100];
  const trials = options.trials ?? { full: 5, quick: 3, tiny: 1 }[options.mode];
  const dir = serverDir('bench-checkers');
  const accessLog = join(dir, 'access.log');
  const lab = await newLab();
  const load: LoadWithIdle[] = [];
  /** vrrpd with no check, before each configuration's forms and once after the last: each configuration's net takes off the two idle runs around it. */
  const idles: LoadFigures[] = [];
  /** keepalived's runs, given their net once its last idle run is in. */
  const keepalivedGroups: LoadFigures[] = [];
  const detection: DetectionFigures[] = [];
  const floor: FloorFigures[] = [];
  const cFloor: CFloorFigures[] = [];
  /** keepalived's checker with a real server and no check: before the first configuration and after the last (its idle CPU is a C process's timer, steady: two runs, not one per configuration). */
  const keepalivedIdles: LoadFigures[] = [];
  let nginx: Running | undefined;
  try {
    makeCertificates(dir, [SRV]);
    const native = buildNative(dir, options.log);
    const forms = LOAD_FORMS.filter((form) => form !== 'keepalived' || native !== undefined);
    const d = await lab.addHost('d', ['192.0.2.1/24']);
    const s = await lab.addHost('s', [`${SRV}/24`]);
    const nginxConf = nginxConfig(dir, 'nginx', { https: [`${SRV}:443`], accessLog });
    nginx = await startNginx(s, nginxConf, `${SRV}:443`);
    // The idle daemon's CPU moves from one window to the next (V8's memory reducer, its helper
    // threads, the machine's other load): measured once at the start, it was taken off runs made
    // minutes later. Alternated instead: idle, the configuration's forms, idle, ...; each
    // configuration's net takes off the mean of the idle runs just before and just after it, over
    // windows as long as its own.
    const idleRun = async (windowSeconds: number): Promise<LoadFigures> => {
      options.log('  vrrpd with no check');
      const figures = await loadRun(d, 'built-in', 1000, 0, windowSeconds, accessLog);
      idles.push(figures);
      return figures;
    };
    const keepalivedIdle = async (): Promise<void> => {
      if (!native) return;
      options.log('  keepalived checker with no check');
      keepalivedIdles.push(await loadRun(d, 'keepalived', 1000, 0, windowFor(1), accessLog, native.ipvsStub));
    };
    await keepalivedIdle();
    let before: LoadFigures | undefined;
    for (const intervalMs of intervals) {
      for (const checks of counts) {
        const window = windowFor((checks * 1000) / intervalMs);
        before ??= await idleRun(window);
        const group: LoadFigures[] = [];
        for (const form of forms) {
          options.log(`  ${checks} x ${form} every ${intervalMs} ms`);
          group.push(await loadRun(d, form, intervalMs, checks, window, accessLog, native?.ipvsStub));
        }
        if (native) {
          options.log(`  C floor at ${checks} x ${intervalMs} ms`);
          cFloor.push(await cFloorRun(d, native.cFloor, intervalMs, checks, Math.max(MIN_CHECKS, Math.round((window * checks * 1000) / intervalMs / 4))));
        }
        const after = await idleRun(window);
        const idleCpuPct = (before.cpuPct + after.cpuPct) / 2;
        const idleMainPct = (before.mainPct + after.mainPct) / 2;
        for (const f of group) if (f.form !== 'keepalived') load.push({ ...f, idleCpuPct, idleMainPct, netMsPerCheck: f.served > 0 ? ((f.cpuPct - idleCpuPct) * 10) / f.served : Number.NaN });
        keepalivedGroups.push(...group.filter((f) => f.form === 'keepalived'));
        before = after;
      }
      for (const worker of [false, true]) {
        options.log(`  node:tls alone every ${intervalMs} ms${worker ? ', in a worker thread' : ''}`);
        floor.push(await floorRun(d, intervalMs, worker, Math.min(MIN_CHECKS, windowFor(1)) * (intervalMs === 100 ? 10 : 1)));
      }
    }
    await keepalivedIdle();
    // keepalived's net takes off the mean of its two idle runs (first and last of the bench).
    const kaIdleCpu = keepalivedIdles.reduce((sum, f) => sum + f.cpuPct, 0) / Math.max(1, keepalivedIdles.length);
    const kaIdleMain = keepalivedIdles.reduce((sum, f) => sum + f.mainPct, 0) / Math.max(1, keepalivedIdles.length);
    for (const f of keepalivedGroups) load.push({ ...f, idleCpuPct: kaIdleCpu, idleMainPct: kaIdleMain, netMsPerCheck: f.served > 0 ? ((f.cpuPct - kaIdleCpu) * 10) / f.served : Number.NaN });
    for (const intervalMs of intervals) {
      for (const form of FORMS) {
        options.log(`  detection, ${form} every ${intervalMs} ms`);
        const result = await detectionRuns(d, s, form, intervalMs, trials, nginxConf, () => nginx, (running) => (nginx = running));
        detection.push(result);
      }
    }
  } finally {
    await nginx?.stop().catch(() => undefined);
    await lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  /** CPU ms per check served, vrrpd's own idle CPU (measured beside it) taken off (% of a core = 10 ms per s). */
  const net = (f: LoadWithIdle): number => f.netMsPerCheck;
  const netMain = (f: LoadWithIdle): number => (f.served > 0 ? ((f.mainPct - f.idleMainPct) * 10) / f.served : Number.NaN);
  const idleCpu = idles.map((f) => f.cpuPct * 10);
  const order = (f: LoadFigures): number => (intervals.indexOf(f.intervalMs) * counts.length + counts.indexOf(f.checks)) * LOAD_FORMS.length + LOAD_FORMS.indexOf(f.form);
  load.sort((a, b) => order(a) - order(b));
  const loadRows = load.map((f) => [
    `${f.checks} x ${f.intervalMs} ms`,
    f.form,
    fmt(f.asked, 0),
    fmt(f.served, 1),
    fmt(f.cpuPct, 2),
    fmt(f.cpuMsPerCheck, 3),
    fmt(net(f), 3),
    fmt(f.idleCpuPct * 10, 2),
    fmt(netMain(f), 3),
    fmt(f.windowS, 0),
    fmt(f.rssMb),
    String(f.falseFailures),
  ]);
  const ratios = load
    .filter((f) => f.form !== 'curl' && f.form !== 'keepalived')
    .map((builtIn) => {
      const curl = load.find((f) => f.form === 'curl' && f.checks === builtIn.checks && f.intervalMs === builtIn.intervalMs);
      return [
        `${builtIn.checks} x ${builtIn.intervalMs} ms`,
        builtIn.form,
        curl ? fmt(curl.cpuMsPerCheck / builtIn.cpuMsPerCheck, 1) : '-',
        curl ? fmt(net(curl) / net(builtIn), 1) : '-',
        fmt(builtIn.cpuMsPerCheck, 3),
        fmt(net(builtIn), 3),
        curl ? fmt(curl.cpuPct / builtIn.cpuPct, 1) : '-',
      ];
    });
  // Side by side per configuration: the script form, vrrpd's built-in, keepalived's own checker, the C floor.
  const sideBySide = [...new Set(load.map((f) => `${f.checks} x ${f.intervalMs}`))].map((key) => {
    const of = (form: Form): LoadWithIdle | undefined => load.find((f) => f.form === form && `${f.checks} x ${f.intervalMs}` === key);
    const both = (f: LoadWithIdle | undefined): string => (f ? `${fmt(f.cpuMsPerCheck, 2)} / ${fmt(net(f), 2)}` : '-');
    const [checks, intervalMs] = key.split(' x ').map(Number) as [number, number];
    const c = cFloor.find((f) => f.checks === checks && f.intervalMs === intervalMs);
    const builtIn = of('built-in');
    const ka = of('keepalived');
    return [
      `${key} ms`,
      both(of('curl')),
      both(builtIn),
      both(of('built-in, main loop')),
      both(ka),
      c ? fmt(c.netMsPerCheck, 2) : '-',
      builtIn && ka ? `${fmt(builtIn.cpuMsPerCheck / ka.cpuMsPerCheck, 1)} / ${fmt(net(builtIn) / net(ka), 1)}` : '-',
      ka && c ? fmt(net(ka) / c.netMsPerCheck, 1) : '-',
    ];
  });
  const kaIdle = load.find((f) => f.form === 'keepalived');
  const detectionRows = detection.map((f) => [
    `${f.intervalMs} ms`,
    f.form,
    fmt(f.boundMs, 0),
    fmt(median(f.latenciesMs), 0),
    fmt(max(f.latenciesMs), 0),
    `${f.latenciesMs.filter((ms) => ms <= f.boundMs).length}/${f.latenciesMs.length}`,
    String(f.neverHealthy),
  ]);
  return {
    name: 'checkers',
    title: `Built-in SSL_GET against a curl vrrp_script, both checking nginx over HTTPS; CPU per check gross (the whole daemon's CPU over the checks served, its idle CPU included) and net (the same daemon with no check, measured beside each configuration, taken off)`,
    text:
      `vrrpd with no check (${idles.length} runs, one before each configuration and one after the last): ${fmt(median(idleCpu), 2)} ms CPU per s median (${fmt(Math.min(...idleCpu), 2)}-${fmt(Math.max(...idleCpu), 2)}), ` +
      `${fmt(idles[0]?.rssMb ?? Number.NaN)} MB RSS. CPU ${idles[0]?.precise === false ? "from /proc's 10 ms ticks (no cgroup could be made)" : "from a cgroup of vrrpd's own: every thread and child, to the nanosecond"}. ` +
      'Gross counts the idle daemon in every check (at one check a second, all of its ~1 ms/s); net takes off the mean of the idle runs just before and after the configuration.\n\n' +
      table(['checks x interval', 'form', 'checks/s asked', 'checks/s served', 'CPU %', 'CPU ms per check, gross', 'CPU ms per check, net of the idle daemon', 'idle daemon beside it, ms/s', "main thread (keepalived: its checker process), net", 'window s', 'RSS MB', 'false failures'], loadRows) +
      '\n\nThe floor: node:tls alone, the same check from a bare node process, CPU ms per check net of the process only waking at the interval:\n\n' +
      table(
        ['interval', 'checks in', 'CPU ms per check, net', 'waking alone, ms'],
        floor.map((f) => [`${f.intervalMs} ms`, f.worker ? 'a worker thread' : 'the main thread', fmt(f.tlsMsPerCheck - f.wakeMsPerCheck, 3), fmt(f.wakeMsPerCheck, 3)]),
      ) +
      `\n\nSide by side, CPU ms per check gross / net (each daemon's idle taken off; keepalived's idle, its checker with a real server and no check, ${kaIdle ? fmt(kaIdle.idleCpuPct * 10, 3) : '-'} ms/s, the mean of a run before the first configuration and one after the last). ` +
      "keepalived has no built-in vrrp_script checker: its column is its checker process (`keepalived -C`) making the same SSL_GET against the same nginx as a virtual_server's real_server check, delay_loop = interval, with bench/ipvs-stub.c answering its IPVS calls (no IPVS in this kernel: keepalived's checker exits FATAL without it; nginx's access log counts the checks it made). " +
      'The C floor: bench/tls-floor.c, one blocking check (OpenSSL, full handshake) per pause of interval / checks, net of the same process only pausing:\n\n' +
      table(['checks x interval', 'curl vrrp_script', 'vrrpd built-in (placed)', 'vrrpd built-in, main loop', "keepalived's checker", 'C floor, net', 'vrrpd placed / keepalived, gross / net', 'keepalived net / C floor'], sideBySide) +
      '\n\nCPU of curl / built-in (the goal: 20x), gross and net of the idle vrrpd:\n\n' +
      table(['checks x interval', 'built-in', 'curl / built-in per check, gross', 'curl / built-in per check, net', 'built-in ms per check, gross', 'built-in ms per check, net', 'total CPU'], ratios) +
      `\n\nDetection, one weight-0 check, fall 3, timeout = interval: nginx stopped to vrrpd's Fault (VIP released), ${trials} trial(s):\n\n` +
      table(['interval', 'form', 'bound ms (fall x interval + timeout)', 'median ms', 'max ms', 'within bound', 'never healthy'], detectionRows),
    data: { idles, keepalivedIdles, load, floor, cFloor, detection },
  };
}

/** The checker child's pid from keepalived's log ("Starting Healthcheck child process, pid=N"). */
const checkerPid = (daemon: BenchDaemon): number | undefined => {
  for (const line of daemon.lines) {
    const pid = /Starting Healthcheck child process, pid=(\d+)/.exec(line)?.[1];
    if (pid) return Number(pid);
  }
  return undefined;
};

async function loadRun(d: LabHost, form: Form, intervalMs: number, checks: number, windowS: number, accessLog: string, ipvsStub?: string): Promise<LoadFigures> {
  const keepalived = form === 'keepalived';
  if (keepalived && !ipvsStub) throw new Error('keepalived needs bench/ipvs-stub.c built');
  const vrrpd = keepalived
    ? // bench/ipvs-stub.c preloaded: without IPVS in the kernel keepalived's checker exits FATAL before its first check.
      startKeepalivedChecker(d, keepalivedCheckerConfig(intervalMs, checks), { LD_PRELOAD: ipvsStub })
    : startDaemon('vrrpd', d, config(form, intervalMs, checks, '  weight -1\n'), form === 'built-in, main loop' ? { VRRPD_CHECKER_THREAD: 'main' } : {});
  const meter = CpuMeter.attach(vrrpd.pid);
  try {
    if (keepalived) {
      if (!(await poll(async () => vrrpd.lines.some((line) => line.includes('Startup complete')), 15_000, 100))) throw new Error(`keepalived's checker did not start: ${vrrpd.lines.slice(-5).join(' | ')}`);
    } else await poll(() => holds(d, VIP), 30_000, 100);
    await sleep(Math.max(keepalived ? 0 : 2000, vrrpd.startedAtEpochMs + (keepalived ? KEEPALIVED_SETTLE_MS : SETTLE_MS) - nowEpochMs()));
    /** keepalived's "main thread" column is its checker process (one thread), where its checks run. */
    const checker = keepalived ? checkerPid(vrrpd) : vrrpd.pid;
    const mainNs = (): number => (keepalived ? schedstatNs(checker) : meter.read().mainThreadNs);
    const failedBefore = failures(vrrpd);
    const servedBefore = lineCount(accessLog);
    const before = { totalNs: meter.read().totalNs, mainThreadNs: mainNs() };
    const started = nowEpochMs();
    await sleep(windowS * 1000);
    const after = { totalNs: meter.read().totalNs, mainThreadNs: mainNs() };
    const seconds = (nowEpochMs() - started) / 1000;
    const served = lineCount(accessLog) - servedBefore;
    const cpuMs = (after.totalNs - before.totalNs) / 1e6;
    return {
      form,
      intervalMs,
      checks,
      asked: (checks * 1000) / intervalMs,
      served: served / seconds,
      cpuPct: (cpuMs / 1000 / seconds) * 100,
      cpuMsPerCheck: served > 0 ? cpuMs / served : Number.NaN,
      mainPct: ((after.mainThreadNs - before.mainThreadNs) / 1e9 / seconds) * 100,
      windowS: seconds,
      precise: meter.precise,
      rssMb: (keepalived ? rssKb(vrrpd.pid) + rssKb(checker ?? 0) : rssKb(vrrpd.pid)) / 1024,
      falseFailures: failures(vrrpd) - failedBefore,
    };
  } finally {
    await killDaemon(vrrpd);
    await meter.close();
    await d.ip('addr', 'flush', 'dev', 'eth0');
    await d.ip('addr', 'add', '192.0.2.1/24', 'dev', 'eth0');
    writeFileSync(accessLog, '');
  }
}

/** The epoch ms of vrrpd's first log line going to Fault at or after `after`. */
function faultAt(daemon: BenchDaemon, after: number): number | undefined {
  for (const line of daemon.lines) {
    if (!line.includes('"to":"Fault"')) continue;
    const time = Date.parse((JSON.parse(line) as { time: string }).time);
    if (time >= after - 1) return time;
  }
  return undefined;
}

async function detectionRuns(
  d: LabHost,
  s: LabHost,
  form: Form,
  intervalMs: number,
  trials: number,
  nginxConf: string,
  current: () => Running | undefined,
  replace: (running: Running) => void,
): Promise<DetectionFigures> {
  const fall = 3;
  const boundMs = fall * intervalMs + intervalMs;
  const latenciesMs: number[] = [];
  let neverHealthy = 0;
  for (let trial = 0; trial < trials; trial++) {
    const vrrpd = startDaemon('vrrpd', d, config(form, intervalMs, 1, `  fall ${fall}\n`));
    try {
      if (!(await poll(() => holds(d, VIP), 15_000, 20))) {
        neverHealthy++;
        continue;
      }
      await sleep(1000);
      const stoppedAt = nowEpochMs();
      await current()?.stop();
      if (await poll(async () => !(await holds(d, VIP)), 15_000, 5)) {
        await sleep(200);
        const at = faultAt(vrrpd, stoppedAt);
        if (at !== undefined) latenciesMs.push(at - stoppedAt);
      }
    } finally {
      replace(await startNginx(s, nginxConf, `${SRV}:443`));
      await killDaemon(vrrpd);
      await d.ip('addr', 'flush', 'dev', 'eth0');
      await d.ip('addr', 'add', '192.0.2.1/24', 'dev', 'eth0');
    }
  }
  return { form, intervalMs, boundMs, latenciesMs, neverHealthy };
}

/** What bench/checker-loop.mjs prints. */
export interface LoopFigures {
  readonly mix: 'idle' | 'healthy' | 'hostile';
  readonly checkers: number;
  /** Where the checks ran: the process's main loop, beside the timer, or the checkers' worker thread. */
  readonly thread: 'main' | 'worker';
  readonly checks: number;
  readonly reasons: Readonly<Record<string, number>>;
  readonly timerLateP50: number;
  readonly timerLateP99: number;
  readonly timerLateMax: number;
  readonly loopDelayP99: number;
  readonly loopDelayMax: number;
  readonly cpuMs: number;
  readonly seconds: number;
}

/**
 * The event loop under checks: `checkers` built-in checkers every 100 ms, in one process as vrrpd
 * runs them, against nginx over HTTPS (healthy) or against the hostile servers (silent, trickling,
 * 100 MB bodies plain and over TLS, a trickled TLS handshake, resets), beside a 10 ms timer whose
 * lateness is what an advertisement timer would see. Each case twice, one after the other: the
 * checks on the timer's own loop, then in the checkers' worker thread as vrrpd runs them. Needs
 * no configuration: the checkers are driven directly (bench/checker-loop.mjs).
 */
export async function checkerLoopBench(options: BenchOptions): Promise<BenchReport> {
  const seconds = { full: 20, quick: 10, tiny: 3 }[options.mode];
  const counts = options.mode === 'tiny' ? [10] : [10, 100];
  const dir = serverDir('bench-checker-loop');
  const lab = await newLab();
  const figures: LoopFigures[] = [];
  let nginx: Running | undefined;
  let hostile: ReturnType<LabHost['spawn']> | undefined;
  try {
    makeCertificates(dir, [SRV]);
    const d = await lab.addHost('d', ['192.0.2.1/24']);
    const s = await lab.addHost('s', [`${SRV}/24`]);
    nginx = await startNginx(s, nginxConfig(dir, 'nginx', { https: [`${SRV}:443`] }), `${SRV}:443`);
    hostile = s.spawn('node', [join(repoRoot(), 'test', 'checkers', 'hostile-server.mjs'), SRV, dir]);
    const ready = hostile;
    await new Promise<void>((resolve, reject) => {
      ready.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('"ready"') && resolve());
      ready.once('exit', () => reject(new Error('the hostile servers exited')));
    });
    const endpoint = (port: number) => ({ address: SRV, family: 'ipv4', port });
    const common = (port: number) => ({ endpoint: endpoint(port), connectTimeoutMs: 1000, retry: 0, delayBeforeRetryMs: 0 });
    const url = [{ path: '/readyz', statusCodes: [[200, 299]] }];
    const http = (port: number) => ({ type: 'HTTP_GET', ...common(port), urls: url, protocol: '1.0' });
    const ssl = (port: number) => ({ type: 'SSL_GET', ...common(port), urls: url, protocol: '1.0', tls: { sni: false, compliant: false } });
    const mixes = {
      healthy: [ssl(443)],
      hostile: [http(8001), http(8002), http(8003), ssl(8103), ssl(8101), ssl(8122), http(8005), ssl(8120)],
    };
    const run = async (mix: LoopFigures['mix'], checkers: number, thread: LoopFigures['thread']): Promise<void> => {
      options.log(`  ${checkers} x ${mix} every 100 ms, ${thread} thread`);
      const specs = mix === 'idle' ? [] : mixes[mix];
      const { stdout } = await d.exec('node', [join(repoRoot(), 'bench', 'checker-loop.mjs'), JSON.stringify({ specs, checkers, intervalMs: 100, durationMs: seconds * 1000, thread })]);
      figures.push({ mix, checkers, thread, ...(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Omit<LoopFigures, 'mix' | 'checkers' | 'thread'>) });
    };
    await run('idle', 0, 'main');
    for (const checkers of counts) for (const mix of ['healthy', 'hostile'] as const) for (const thread of ['main', 'worker'] as const) await run(mix, checkers, thread);
  } finally {
    hostile?.kill('SIGTERM');
    await nginx?.stop().catch(() => undefined);
    await lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  const rows = figures.map((f) => [
    f.mix,
    String(f.checkers),
    f.thread,
    fmt(f.checks / f.seconds, 0),
    Object.entries(f.reasons)
      .map(([reason, count]) => `${reason} ${count}`)
      .join(', ') || '-',
    fmt(f.timerLateP50, 2),
    fmt(f.timerLateP99, 2),
    fmt(f.timerLateMax, 1),
    fmt(f.loopDelayP99, 1),
    fmt(f.loopDelayMax, 1),
    fmt((f.cpuMs / 1000 / f.seconds) * 100, 1),
  ]);
  return {
    name: 'checker-loop',
    title: `The event loop under built-in checks every 100 ms, in one process, on its main loop or in the checkers' worker thread (${seconds} s each): a 10 ms timer's lateness and Node's event-loop delay on the main loop, ms`,
    text: table(['servers', 'checkers', 'checks in', 'checks/s', 'outcomes', 'timer late p50', 'timer late p99', 'timer late max', 'loop delay p99', 'loop delay max', 'CPU %'], rows),
    data: figures,
  };
}
