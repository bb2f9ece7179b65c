// vrrpd and keepalived with BFD sessions in lab hosts: vrrpd started from a keepalived.conf, asked
// for its status and metrics, reloaded with another, stopped; keepalived with its BFD process;
// keepalived.conf text for bfd_instance blocks; and a sender of hand-made BFD packets with a
// chosen TTL.
import { execFile, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BfdStatus } from '../../src/daemon/bfd/ports.js';
import { startKeepalived, startVrrpd } from './daemons.js';
import type { LabHost } from './netns.js';

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

export interface LabVrrpd {
  readonly process: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<number | null>;
  /** `vrrpd status --json`. */
  status(): Promise<{ instances: Array<Record<string, unknown> & { name: string; state: string }>; bfd: BfdStatus | null }>;
  /** `vrrpd status` as an operator reads it. */
  statusText(): Promise<string>;
  /** One BFD session's status. */
  session(name: string): Promise<BfdStatus['sessions'][number]>;
  /** Log lines (JSON) with this event. */
  events(event: string): Array<Record<string, unknown>>;
  /** Rewrites the configuration file and sends SIGHUP. */
  reload(text: string): void;
  /** GET /metrics from inside the host (started with `metrics`). */
  metrics(): Promise<string>;
  /** SIGTERM (or `signal`), wait for the exit (SIGKILL after 5 s). */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Where `metrics` puts vrrpd's listener, inside the lab host. */
const METRICS = '127.0.0.1:9650';

/** vrrpd run on `text`; with `metrics`, serving /metrics inside the host. */
export function startVrrpdConf(host: LabHost, text: string, options: { metrics?: boolean } = {}): LabVrrpd {
  const daemon = startVrrpd(host, text, options.metrics ? ['--metrics', METRICS] : []);
  const socket = daemon.controlSocket!;
  const child = daemon.process;
  const status = async () => JSON.parse((await run('node', [join(root, 'bin', 'vrrpd'), 'status', '--json', '--control-socket', socket])).stdout) as Awaited<ReturnType<LabVrrpd['status']>>;
  return {
    process: child,
    lines: daemon.lines,
    exited: daemon.exited,
    status,
    statusText: async () => (await run('node', [join(root, 'bin', 'vrrpd'), 'status', '--control-socket', socket])).stdout,
    session: async (name) => {
      const found = (await status()).bfd?.sessions.find((session) => session.name === name);
      if (!found) throw new Error(`vrrpd reports no BFD session ${name}`);
      return found;
    },
    reload: (next) => {
      writeFileSync(daemon.configFile, next);
      child.kill('SIGHUP');
    },
    metrics: async () => {
      if (!options.metrics) throw new Error('vrrpd was started without metrics');
      const script = 'fetch(process.argv[1]).then((r) => r.text()).then((t) => process.stdout.write(t))';
      return (await host.exec('node', ['-e', script, `http://${METRICS}/metrics`])).stdout;
    },
    events: (event) => daemon.lines.flatMap((line) => (line.startsWith('{') ? [JSON.parse(line) as Record<string, unknown>] : [])).filter((record) => record['event'] === event),
    stop: async (signal = 'SIGTERM') => {
      child.kill(signal);
      await Promise.race([daemon.exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      child.kill('SIGKILL');
    },
  };
}

export interface LabKeepalived {
  /** What keepalived logged (its console). */
  readonly lines: string[];
  /** Rewrites the configuration file and sends SIGHUP. */
  reload(text: string): void;
  /** SIGKILL of every process in the host: keepalived's BFD child dies without a word. */
  crash(): Promise<void>;
  /** SIGTERM, wait for the exit, then kill whatever is left in the host. */
  stop(): Promise<void>;
}

/** keepalived with its BFD process beside VRRP, logging to the console. */
export function startKeepalivedBfd(host: LabHost, text: string): LabKeepalived {
  const daemon = startKeepalived(host, text, { bfd: true });
  return {
    lines: daemon.lines,
    reload: (next) => {
      writeFileSync(daemon.configFile, next);
      daemon.process.kill('SIGHUP');
    },
    crash: async () => host.crash(),
    stop: async () => {
      daemon.process.kill('SIGTERM');
      await Promise.race([daemon.exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      host.killAll();
    },
  };
}

/** A bfd_instance block as keepalived.conf writes it; intervals in ms. */
export function bfdBlock(name: string, options: { neighbor: string; source?: string; minTx?: number; minRx?: number; multiplier?: number; extra?: readonly string[] }): string {
  return [
    `bfd_instance ${name} {`,
    `  neighbor_ip ${options.neighbor}`,
    ...(options.source ? [`  source_ip ${options.source}`] : []),
    ...(options.minTx !== undefined ? [`  min_tx ${options.minTx}`] : []),
    ...(options.minRx !== undefined ? [`  min_rx ${options.minRx}`] : []),
    ...(options.multiplier !== undefined ? [`  multiplier ${options.multiplier}`] : []),
    ...(options.extra ?? []).map((line) => `  ${line}`),
    '}',
    '',
  ].join('\n');
}

/**
 * Sends UDP datagrams from the host with a chosen TTL / hop limit (Node's dgram: it sets the TTL,
 * it need not read one), `count` times each; resolves when all are sent.
 */
export async function sendDatagrams(host: LabHost, datagrams: ReadonlyArray<{ to: string; port: number; payload: Uint8Array; ttl: number; from?: string; count?: number }>): Promise<void> {
  const script = `
    const { createSocket } = require('node:dgram');
    const datagrams = JSON.parse(process.argv[1]);
    (async () => {
      for (const d of datagrams) {
        const socket = createSocket(d.to.includes(':') ? 'udp6' : 'udp4');
        await new Promise((resolve) => socket.bind({ port: 0, ...(d.from ? { address: d.from } : {}) }, resolve));
        socket.setTTL(d.ttl);
        for (let i = 0; i < (d.count ?? 1); i++) {
          await new Promise((resolve, reject) => socket.send(Buffer.from(d.payload, 'hex'), d.port, d.to, (e) => (e ? reject(e) : resolve())));
        }
        socket.close();
      }
    })();`;
  await host.exec('node', ['-e', script, JSON.stringify(datagrams.map((d) => ({ ...d, payload: Buffer.from(d.payload).toString('hex') })))]);
}
