// A Debian system booted with systemd as PID 1 by systemd-nspawn inside a lab host's network
// namespace: for running vrrpd as a systemd service the way hosts do (test/deploy/).
//
// The rootfs (scripts/rootfs --with systemd: cached, shared, never written) is booted with
// --volatile=overlay: nspawn mounts it read-only under a tmpfs overlay in its own mount namespace,
// so every write of the boot (an npm install, /etc, the journal) vanishes with the machine and
// there is no copy or mount to remove. --register=no --keep-unit: the test host runs no systemd
// for nspawn to register with. Commands reach the machine with nsenter into its systemd's
// namespaces (mount, UTS, IPC, network, PID), with an environment of their own, as a root login
// inside would have; files are read and written through /proc/PID/root.
//
// shutdown() powers the machine off (SIGTERM to nspawn: systemd stops its units, then nspawn
// removes what it made) and, should that hang, SIGKILLs the machine's init, which ends its PID
// namespace, so nspawn can still clean up and exit. A machine left by a killed test run lives in
// that run's lab namespace: sweepStaleLabs() kills its processes with the namespace, and nspawn,
// if it still runs, cleans up as the machine's init dies.
//
// What nspawn leaves when it is itself SIGKILLed (seen here with systemd 252: a job's process group
// killed): its machine runs on, reparented to the host's init, and two files stay in /run:
// /run/systemd/nspawn/propagate/NAME (the directory for `machinectl bind`) and
// /run/systemd/nspawn/locks/inode-DEV:INO (the lock on the booted directory). shutdown() removes
// both for a machine it had to SIGKILL nspawn for; sweepStaleMachines() removes the propagate
// directories of our machines whose nspawn is gone. (A lock file is one per rootfs tree, reused by
// the next boot of that tree, so a stale one does not pile up.)
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { finish, type Finished } from './processes.js';

/** What a command inside gets: a root login's PATH and nothing of the test process's environment. */
const MACHINE_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', LANG: 'C.UTF-8', SYSTEMD_COLORS: '0' };
/** Where nspawn keeps its run-time files. */
const NSPAWN_RUN = '/run/systemd/nspawn';
/** nspawn's console output kept for a failure's message. */
const CONSOLE_KEEP = 16 * 1024;

export interface BootOptions {
  /** The root filesystem to boot (read-only: the machine writes to a tmpfs overlay). */
  readonly rootfs: string;
  /** The network namespace (under /run/netns) the machine lives in. */
  readonly netns: string;
  /** The machine's name: unique per run (nspawn keeps a directory of that name while it runs). */
  readonly name: string;
  /** How long the boot may take until `systemctl is-system-running` says running. */
  readonly timeoutMs: number;
}

export class BootedSystem {
  private console = '';
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    private readonly rootfs: string,
    private readonly nspawn: ChildProcess,
  ) {
    const keep = (chunk: Buffer): void => void (this.console = (this.console + chunk.toString()).slice(-CONSOLE_KEEP));
    nspawn.stdout?.on('data', keep);
    nspawn.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => nspawn.once('exit', (code) => resolve(code)));
  }

  /** The host's PID of the machine's init (systemd), once known. */
  pid = 0;

  /**
   * Boots the rootfs in the namespace with CAP_NET_ADMIN and CAP_NET_RAW added to nspawn's set
   * (vrrpd's unit asks for them) and resolves once systemd says the boot is complete.
   */
  static async boot(options: BootOptions): Promise<BootedSystem> {
    const nspawn = spawn(
      'systemd-nspawn',
      [
        '--register=no',
        '--keep-unit',
        '--capability=CAP_NET_ADMIN,CAP_NET_RAW',
        '--boot',
        `--network-namespace-path=/run/netns/${options.netns}`,
        `--directory=${options.rootfs}`,
        '--volatile=overlay',
        `--machine=${options.name}`,
        '--console=read-only',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin' } },
    );
    const machine = new BootedSystem(options.name, options.rootfs, nspawn);
    const deadline = performance.now() + options.timeoutMs;
    try {
      machine.pid = await machine.waitForInit(deadline);
      await machine.waitForBoot(deadline);
    } catch (error) {
      await machine.shutdown();
      throw error;
    }
    return machine;
  }

  /** Runs a command inside and waits for it (its exit code and output, whatever they are). */
  exec(command: readonly string[]): Promise<Finished> {
    return finish(
      spawn('nsenter', [`--target=${this.pid}`, '--mount', '--uts', '--ipc', '--net', '--pid', '--', ...command], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: MACHINE_ENV,
      }),
    );
  }

  /** Runs a command inside; rejects with its output unless it exits 0. */
  async run(command: readonly string[]): Promise<Finished> {
    const result = await this.exec(command);
    if (result.code !== 0) throw new Error(`${command.join(' ')} exited ${result.code} in ${this.name}:\n${result.stdout}${result.stderr}`);
    return result;
  }

  /** Where a path inside the machine is, seen from the host (to read or write its files). */
  path(inside: string): string {
    return `/proc/${this.pid}/root${inside}`;
  }

  /** The host's PID of a process the machine knows as `pid` (as `systemctl show -p MainPID` gives it). */
  hostPid(pid: number): number {
    const namespace = readlinkSync(`/proc/${this.pid}/ns/pid`);
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (readlinkSync(`/proc/${entry}/ns/pid`) !== namespace) continue;
        const nspid = /^NSpid:\s+(\d+)\s+(\d+)\s*$/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'));
        if (nspid && Number(nspid[2]) === pid) return Number(nspid[1]);
      } catch {
        // the process ended while it was looked at
      }
    }
    throw new Error(`no process ${pid} in ${this.name}`);
  }

  /** Powers the machine off and waits for nspawn to end; forced after `timeoutMs`. */
  async shutdown(timeoutMs = 30_000): Promise<void> {
    if (this.nspawn.exitCode !== null || this.nspawn.signalCode !== null) return;
    this.nspawn.kill('SIGTERM');
    if (await settlesWithin(this.exited, timeoutMs)) return;
    // The machine's init killed: its PID namespace ends, and nspawn removes its mounts and exits.
    if (this.pid > 0) signal(this.pid, 'SIGKILL');
    if (await settlesWithin(this.exited, 10_000)) return;
    this.nspawn.kill('SIGKILL');
    await settlesWithin(this.exited, 5_000);
    rmSync(`${NSPAWN_RUN}/propagate/${this.name}`, { recursive: true, force: true });
    const tree = statSync(this.rootfs);
    rmSync(`${NSPAWN_RUN}/locks/inode-${tree.dev}:${tree.ino}`, { force: true });
  }

  /** nspawn forks the machine's init into a new PID namespace as its own child. */
  private async waitForInit(deadline: number): Promise<number> {
    const ownNamespace = readlinkSync('/proc/self/ns/pid');
    for (;;) {
      this.failIfGone();
      const pid = this.nspawn.pid;
      if (pid !== undefined) {
        for (const child of readChildren(pid)) {
          try {
            // After its exec: before it, the child is still nspawn setting up the machine's mounts.
            if (readlinkSync(`/proc/${child}/ns/pid`) !== ownNamespace && readFileSync(`/proc/${child}/comm`, 'utf8').trim() === 'systemd') return child;
          } catch {
            // gone already
          }
        }
      }
      if (performance.now() > deadline) throw new Error(`${this.name}: systemd did not start\n${this.console}`);
      await sleep(50);
    }
  }

  /** `systemctl is-system-running --wait` says running (systemd's private socket may not be up yet at first). */
  private async waitForBoot(deadline: number): Promise<void> {
    let last: Finished | undefined;
    for (;;) {
      this.failIfGone();
      last = await this.exec(['systemctl', 'is-system-running', '--wait']);
      if (last.stdout.trim() === 'running') return;
      if (last.stdout.trim() === 'degraded') {
        const failed = await this.exec(['systemctl', '--failed', '--no-legend', '--plain']);
        throw new Error(`${this.name} booted degraded; failed units:\n${failed.stdout}`);
      }
      if (performance.now() > deadline) throw new Error(`${this.name}: the boot did not complete: ${last.stdout}${last.stderr}\n${this.console}`);
      await sleep(200);
    }
  }

  private failIfGone(): void {
    if (this.nspawn.exitCode !== null || this.nspawn.signalCode !== null) throw new Error(`systemd-nspawn exited (${this.nspawn.exitCode ?? this.nspawn.signalCode}):\n${this.console}`);
  }
}

/**
 * Removes the propagate directories nspawn left for machines named `PREFIX...` whose nspawn is no
 * longer running (it was SIGKILLed: otherwise it removes its directory as it exits).
 */
export function sweepStaleMachines(prefix: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(`${NSPAWN_RUN}/propagate`);
  } catch {
    return [];
  }
  const running = runningMachines();
  const stale = entries.filter((name) => name.startsWith(prefix) && !running.has(name));
  for (const name of stale) rmSync(`${NSPAWN_RUN}/propagate/${name}`, { recursive: true, force: true });
  return stale;
}

/** The --machine= names of the systemd-nspawn processes running on this host. */
function runningMachines(): Set<string> {
  const names = new Set<string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!argv[0]?.endsWith('systemd-nspawn')) continue;
      for (const arg of argv) if (arg.startsWith('--machine=')) names.add(arg.slice('--machine='.length));
    } catch {
      // the process ended while it was looked at
    }
  }
  return names;
}

function readChildren(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether the promise settles within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
