// Running vrrpd and keepalived inside lab hosts, and waiting on what the network shows.
import { execFile, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LabHost } from './netns.js';
import { scratchDir } from './scratch.js';

const root = join(import.meta.dirname, '..', '..');
const scratch = scratchDir('lab');
let counter = 0;

export interface RunningDaemon {
  readonly process: ChildProcess;
  /** Every line it printed (vrrpd: JSON log lines). */
  readonly lines: string[];
  readonly exited: Promise<number | null>;
  /** vrrpd's control socket (for `vrrpd status --control-socket`). */
  readonly controlSocket?: string;
  /** The configuration file it was started with (rewrite it, then SIGHUP, to reload). */
  readonly configFile: string;
}

function collect(child: ChildProcess, configFile: string): RunningDaemon {
  const lines: string[] = [];
  const take = (chunk: Buffer): void => void lines.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { process: child, lines, exited, configFile };
}

/** `args` follow `run` (e.g. `--metrics 127.0.0.1:9650`). */
export function startVrrpd(host: LabHost, config: string, args: readonly string[] = []): RunningDaemon {
  const file = join(scratch, `vrrpd-${++counter}.conf`);
  writeFileSync(file, config);
  const controlSocket = join(scratch, `vrrpd-${counter}.sock`);
  return { ...collect(host.spawn('node', [join(root, 'bin', 'vrrpd'), 'run', '-f', file, '--control-socket', controlSocket, ...args]), file), controlSocket };
}

/**
 * keepalived's VRRP daemon; with `bfd`, its BFD (and checker) process too (`--vrrp` alone turns BFD
 * off). `configId` is its --config-id (for `@NAME` lines; default: the host name).
 */
export function startKeepalived(host: LabHost, config: string, options: { bfd?: boolean; configId?: string } = {}): RunningDaemon {
  const file = join(scratch, `keepalived-${++counter}.conf`);
  writeFileSync(file, config);
  const pid = (name: string): string => join(scratch, `keepalived-${counter}.${name}.pid`);
  const processes = options.bfd ? ['-b', pid('bfd'), '-c', pid('checkers')] : ['--vrrp'];
  const configId = options.configId === undefined ? [] : ['--config-id', options.configId];
  return collect(host.spawn('keepalived', ['--dont-fork', ...processes, '--log-console', '--no-syslog', ...configId, '-f', file, '-p', pid('main'), '-r', pid('vrrp')]), file);
}

/**
 * How long a test waits for a lab to settle before it measures anything: daemons started, IPv6
 * duplicate address detection over, Master_Down_Interval (3.6 s at 1 s adverts) run out. A set-up
 * wait, not a bound under test: 6 s was too short with four lab files at once on two cores (three
 * full runs each failed one of these waits, a different test each time).
 */
export const SETTLE_MS = 15_000;

/** Polls `condition` every 20 ms; resolves with the milliseconds it took, rejects after `timeoutMs`. */
export async function waitFor(description: string, condition: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await condition()) return performance.now() - start;
    if (performance.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function holds(host: LabHost, address: string, device = 'eth0'): Promise<boolean> {
  return (await host.addresses(device)).some((entry) => entry.startsWith(`${address}/`));
}

/** `vrrpd status --json` of a running vrrpd: one entry per instance. */
export async function vrrpdStatus(daemon: RunningDaemon): Promise<Array<Record<string, unknown> & { state: string; statistics: { rejected: Record<string, number>; advertisementsSent: number; advertisementsReceived: number } }>> {
  if (!daemon.controlSocket) throw new Error('not a vrrpd started by startVrrpd');
  const { stdout } = await promisify(execFile)('node', [join(root, 'bin', 'vrrpd'), 'status', '--json', '--control-socket', daemon.controlSocket]);
  return (JSON.parse(stdout) as { instances: Awaited<ReturnType<typeof vrrpdStatus>> }).instances;
}

/** A keepalived.conf vrrp_instance, the same text for both daemons. */
export function instanceConfig(options: {
  /** Default VI_1. */
  name?: string;
  priority: number;
  version: 2 | 3;
  vip: string;
  vrid?: number;
  password?: string;
  unicastSource?: string;
  unicastPeers?: readonly string[];
  extra?: string;
}): string {
  const lines = [
    `vrrp_instance ${options.name ?? 'VI_1'} {`,
    '  interface eth0',
    `  virtual_router_id ${options.vrid ?? 51}`,
    `  priority ${options.priority}`,
    '  advert_int 1',
    `  version ${options.version}`,
  ];
  if (options.password) lines.push('  authentication {', '    auth_type PASS', `    auth_pass ${options.password}`, '  }');
  if (options.unicastSource) lines.push(`  unicast_src_ip ${options.unicastSource}`);
  if (options.unicastPeers) lines.push('  unicast_peer {', ...options.unicastPeers.map((peer) => `    ${peer}`), '  }');
  if (options.extra) lines.push(options.extra);
  lines.push('  virtual_ipaddress {', `    ${options.vip}`, '  }', '}', '');
  return lines.join('\n');
}
