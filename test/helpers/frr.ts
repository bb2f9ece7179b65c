// FRR's bfdd (Debian's frr package) as a BFD peer in a lab host: its configuration, pid file and
// sockets live in a scratch directory of its own (no /etc/frr, no /var/run/frr, no TCP vty, no
// zebra), vtysh reaches it through that directory, and stop() removes everything.
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from './daemons.js';
import type { LabHost } from './netns.js';
import { removeScratchDir, scratchDir } from './scratch.js';

const BFDD = '/usr/lib/frr/bfdd';
const run = promisify(execFile);

/** One peer of `show bfd peers json` (the fields the tests read). */
export interface FrrPeer {
  readonly peer: string;
  readonly local?: string;
  readonly multihop: boolean;
  readonly id: number;
  readonly 'remote-id': number;
  readonly status: 'up' | 'down' | 'init' | 'shutdown';
  readonly diagnostic: string;
  readonly 'remote-diagnostic': string;
  readonly 'receive-interval': number;
  readonly 'transmit-interval': number;
  readonly 'detect-multiplier': number;
  readonly 'remote-receive-interval': number;
  readonly 'remote-transmit-interval': number;
  readonly 'remote-detect-multiplier': number;
}

export interface Bfdd {
  peers(): Promise<FrrPeer[]>;
  /** The peer with this address. */
  peer(address: string): Promise<FrrPeer | undefined>;
  /** `show bfd peers counters json`: packets and Up/Down counts per peer. */
  counters(): Promise<Array<{ readonly peer: string; readonly 'session-up': number; readonly 'session-down': number }>>;
  /** `configure terminal` then these lines (`bfd`, `peer ...`, `transmit-interval 100`). */
  configure(lines: readonly string[]): Promise<void>;
  /** What bfdd printed. */
  readonly output: string[];
  /** SIGTERM (or `signal`: SIGKILL for a bfdd that dies without a word), then the scratch directory goes. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function haveFrrBfdd(): boolean {
  return existsSync(BFDD);
}

/** Starts bfdd in `host` with `config` (bfdd's own syntax: `bfd` / ` peer X local-address Y` ...). */
export async function startBfdd(host: LabHost, config: string): Promise<Bfdd> {
  const dir = scratchDir('frr');
  // bfdd drops to the frr user, which must reach its sockets and pid file.
  chmodSync(dir, 0o755);
  const { uid, gid } = await frrIds();
  chownSync(dir, uid, gid);
  const configFile = join(dir, 'bfdd.conf');
  writeFileSync(configFile, config);
  chownSync(configFile, uid, gid);
  const child = host.spawn(BFDD, [
    '-f', configFile,
    '--vty_socket', dir,
    '-i', join(dir, 'bfdd.pid'),
    '--bfdctl', join(dir, 'bfdd.sock'),
    '-z', join(dir, 'zserv.api'),
    // No TCP vty: the namespace is the test's, but nothing needs it.
    '-P', '0',
    '-u', 'frr',
    '-g', 'frr',
    '--log', 'stdout',
  ]);
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean)));
  child.stderr?.on('data', (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const vtysh = async (...commands: string[]): Promise<string> =>
    (await run('vtysh', ['--vty_socket', dir, ...commands.flatMap((command) => ['-c', command])], { timeout: 10_000 })).stdout;
  const peers = async (): Promise<FrrPeer[]> => JSON.parse(await vtysh('show bfd peers json')) as FrrPeer[];
  await waitFor('bfdd to answer vtysh', async () => (await vtysh('show bfd peers json').catch(() => undefined)) !== undefined, 10_000);
  return {
    peers,
    peer: async (address) => (await peers()).find((peer) => peer.peer === address),
    counters: async () => JSON.parse(await vtysh('show bfd peers counters json')) as Awaited<ReturnType<Bfdd['counters']>>,
    configure: async (lines) => void (await vtysh('configure terminal', ...lines)),
    output,
    stop: async (signal = 'SIGTERM') => {
      child.kill(signal);
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
      child.kill('SIGKILL');
      removeScratchDir(dir);
    },
  };
}

async function frrIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', 'frr']), run('id', ['-g', 'frr'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}
