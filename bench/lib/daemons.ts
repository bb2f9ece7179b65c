// The two implementations under test, started the same way from the same keepalived.conf text:
// vrrpd (node bin/vrrpd run) and keepalived 2.2.7 (--dont-fork --vrrp). Each runs alone in its
// host's namespace, so the namespace's pids are exactly the daemon's processes.
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sendControlRequest } from '../../src/control/client.js';
import type { ControlResponse } from '../../src/control/protocol.js';
import { sh, type LabHost } from '../../test/helpers/netns.js';
import { daemonRoot } from './root.js';
import { scratchDir } from '../../test/helpers/scratch.js';

export type Implementation = 'vrrpd' | 'keepalived';
export const IMPLEMENTATIONS: readonly Implementation[] = ['vrrpd', 'keepalived'];

const scratch = scratchDir('bench');
let counter = 0;

export interface InstanceSpec {
  readonly name: string;
  readonly interfaceName: string;
  readonly vrid: number;
  readonly priority: number;
  readonly version: 2 | 3;
  /** advert_int in seconds (0.02 = 20 ms, VRRPv3 only below 1 s). */
  readonly advertIntS: number;
  readonly vips: readonly string[];
  readonly extra?: readonly string[];
}

/** keepalived.conf text for both daemons. */
export function keepalivedConf(instances: readonly InstanceSpec[], globalDefs: readonly string[] = []): string {
  const out: string[] = [];
  if (globalDefs.length > 0) out.push('global_defs {', ...globalDefs.map((l) => `  ${l}`), '}');
  for (const i of instances) {
    out.push(
      `vrrp_instance ${i.name} {`,
      `  interface ${i.interfaceName}`,
      `  virtual_router_id ${i.vrid}`,
      `  priority ${i.priority}`,
      `  advert_int ${i.advertIntS}`,
      `  version ${i.version}`,
      ...(i.extra ?? []).map((l) => `  ${l}`),
      '  virtual_ipaddress {',
      ...i.vips.map((v) => `    ${v}`),
      '  }',
      '}',
    );
  }
  return out.join('\n') + '\n';
}

export interface BenchDaemon {
  readonly kind: Implementation;
  readonly host: LabHost;
  readonly process: ChildProcess;
  /** The process started (vrrpd's node; keepalived's parent). */
  readonly pid: number;
  /** Epoch ms (sub-ms) just before spawn. */
  readonly startedAtEpochMs: number;
  readonly lines: string[];
  readonly exited: Promise<number | null>;
  readonly controlSocket?: string;
  /** The configuration file it was started with (rewrite it, then SIGHUP, to reload). */
  readonly configFile: string;
}

/** `nodeArgs` go before vrrpd's script (e.g. --cpu-prof), `vrrpdArgs` after `run` (e.g. --health); keepalived ignores both. */
export function startDaemon(
  kind: Implementation,
  host: LabHost,
  conf: string,
  env: NodeJS.ProcessEnv = {},
  nodeArgs: readonly string[] = [],
  vrrpdArgs: readonly string[] = [],
): BenchDaemon {
  return spawnDaemon(kind, host, conf, env, nodeArgs, vrrpdArgs, 'vrrp');
}

/** keepalived with its BFD process beside VRRP (`--vrrp` alone turns BFD off); vrrpd as startDaemon. */
export function startDaemonWithBfd(kind: Implementation, host: LabHost, conf: string, env: NodeJS.ProcessEnv = {}): BenchDaemon {
  return spawnDaemon(kind, host, conf, env, [], [], 'vrrp+bfd');
}

/** keepalived with its health-checker process alone (`-C`: virtual_server checks, no VRRP). */
export function startKeepalivedChecker(host: LabHost, conf: string, env: NodeJS.ProcessEnv = {}): BenchDaemon {
  return spawnDaemon('keepalived', host, conf, env, [], [], 'check');
}

/** keepalived's child processes: VRRP alone (`--vrrp`), VRRP and BFD, or the checker alone (`--check`). */
type KeepalivedProcesses = 'vrrp' | 'vrrp+bfd' | 'check';

function spawnDaemon(kind: Implementation, host: LabHost, conf: string, env: NodeJS.ProcessEnv, nodeArgs: readonly string[], vrrpdArgs: readonly string[], processes: KeepalivedProcesses): BenchDaemon {
  const n = ++counter;
  const file = join(scratch, `${kind}-${n}.conf`);
  writeFileSync(file, conf);
  const controlSocket = join(scratch, `vrrpd-${n}.sock`);
  const pid = (name: string): string => join(scratch, `k-${n}.${name}.pid`);
  const only = { vrrp: ['--vrrp'], 'vrrp+bfd': [], check: ['--check'] }[processes];
  const keepalivedArgs = ['--dont-fork', ...only, '--log-console', '--no-syslog', '-f', file, '-p', pid('main'), '-r', pid('vrrp'), ...(processes === 'vrrp' ? [] : ['-b', pid('bfd'), '-c', pid('checkers')])];
  const bin = join(daemonRoot(), 'bin', 'vrrpd');
  const args =
    kind === 'vrrpd'
      ? ['node', [...shebangNodeFlags(bin), ...nodeArgs, bin, 'run', '-f', file, '--control-socket', controlSocket, ...vrrpdArgs]]
      : ['keepalived', keepalivedArgs];
  const startedAtEpochMs = nowEpochMs();
  const child = host.spawn(args[0] as string, args[1] as string[], { env: { ...process.env, ...env } });
  const lines: string[] = [];
  const take = (chunk: Buffer): void => void lines.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (child.pid === undefined) throw new Error(`${kind} did not start`);
  return { kind, host, process: child, pid: child.pid, startedAtEpochMs, lines, exited, configFile: file, ...(kind === 'vrrpd' ? { controlSocket } : {}) };
}

/**
 * The Node flags bin/vrrpd's first line gives node (`#!/usr/bin/env -S node FLAGS`): the daemon
 * runs with them when started as `vrrpd ...` (systemd, the image), so the bench starts it with them.
 */
function shebangNodeFlags(bin: string): string[] {
  const first = readFileSync(bin, 'utf8').split('\n', 1)[0] ?? '';
  const flags = /^#!\S*env(?: -S)? node(.*)$/.exec(first)?.[1] ?? '';
  return flags.split(/\s+/).filter(Boolean);
}

export function nowEpochMs(): number {
  return performance.timeOrigin + performance.now();
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Every pid in the host's namespace (the daemon and, for keepalived, its VRRP child). */
export async function namespacePids(host: LabHost): Promise<number[]> {
  const { stdout } = await sh('ip', ['netns', 'pids', host.netns]);
  return stdout.split(/\s+/).filter(Boolean).map(Number);
}

/**
 * The host dies: every process of its namespace is frozen, then killed (as LabHost.crash, but the
 * pids are read first so the returned instant is when the freeze happened).
 */
export async function crashHost(host: LabHost): Promise<number> {
  const pids = await namespacePids(host);
  const at = nowEpochMs();
  for (const signal of ['SIGSTOP', 'SIGKILL'] as const) for (const pid of pids) signalQuietly(pid, signal);
  return at;
}

export function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Stops a daemon (SIGKILL of every process in its namespace) and waits for it to exit. */
export async function killDaemon(daemon: BenchDaemon): Promise<void> {
  for (const pid of await namespacePids(daemon.host)) signalQuietly(pid, 'SIGKILL');
  await Promise.race([daemon.exited, sleep(3000)]);
}

export function control(daemon: BenchDaemon, command: string, args?: Record<string, unknown>, timeoutMs = 5000): Promise<ControlResponse> {
  if (!daemon.controlSocket) throw new Error('only vrrpd has a control socket');
  return sendControlRequest(daemon.controlSocket, { command, ...(args ? { args } : {}) }, timeoutMs);
}

export async function holds(host: LabHost, address: string, device = 'eth0'): Promise<boolean> {
  return (await host.addresses(device)).some((entry) => entry.startsWith(`${address}/`));
}

/** Polls every `everyMs` until `condition` holds; false after `timeoutMs`. */
export async function poll(condition: () => Promise<boolean>, timeoutMs: number, everyMs = 10): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (performance.now() > end) return false;
    await sleep(everyMs);
  }
}

export function versions(): { vrrpd: string; keepalived: string; node: string; kernel: string } {
  const pkg = JSON.parse(readFileSync(join(daemonRoot(), 'package.json'), 'utf8')) as { version: string };
  let commit = '';
  try {
    commit = execFileSync('git', ['-C', daemonRoot(), 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    // not a checkout
  }
  const keepalived = execFileSync('sh', ['-c', 'keepalived --version 2>&1 | head -1'], { encoding: 'utf8' }).trim();
  return { vrrpd: `${pkg.version}${commit ? ` (${commit})` : ''}`, keepalived, node: process.version, kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim() };
}
