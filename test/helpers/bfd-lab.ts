// vrrpd with BFD sessions in lab hosts: started from a keepalived.conf, asked for its status,
// reloaded with another, stopped; keepalived.conf text for bfd_instance blocks; and a sender of
// hand-made BFD packets with a chosen TTL.
import { execFile, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BfdStatus } from '../../src/daemon/bfd/ports.js';
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
  /** SIGTERM (or `signal`), wait for the exit, remove the scratch directory. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function startVrrpdConf(host: LabHost, text: string): LabVrrpd {
  const dir = mkdtempSync(join(tmpdir(), 'vrrpd-bfd-'));
  chmodSync(dir, 0o755);
  const file = join(dir, 'keepalived.conf');
  const socket = join(dir, 'vrrpd.sock');
  writeFileSync(file, text);
  const child = host.spawn('node', [join(root, 'bin', 'vrrpd'), 'run', '-f', file, '--control-socket', socket]);
  const lines: string[] = [];
  const take = (chunk: Buffer): void => void lines.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const status = async () => JSON.parse((await run('node', [join(root, 'bin', 'vrrpd'), 'status', '--json', '--control-socket', socket])).stdout) as Awaited<ReturnType<LabVrrpd['status']>>;
  return {
    process: child,
    lines,
    exited,
    status,
    statusText: async () => (await run('node', [join(root, 'bin', 'vrrpd'), 'status', '--control-socket', socket])).stdout,
    session: async (name) => {
      const found = (await status()).bfd?.sessions.find((session) => session.name === name);
      if (!found) throw new Error(`vrrpd reports no BFD session ${name}`);
      return found;
    },
    reload: (next) => {
      writeFileSync(file, next);
      child.kill('SIGHUP');
    },
    events: (event) => lines.flatMap((line) => (line.startsWith('{') ? [JSON.parse(line) as Record<string, unknown>] : [])).filter((record) => record['event'] === event),
    stop: async (signal = 'SIGTERM') => {
      child.kill(signal);
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
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
