// podman for tests: each PrivatePodman is a podman of its own (storage, run state and libpod's
// temporary directory under one temporary directory) that reads images from the machine's store,
// where scripts/image builds them (an additional, read-only image store). A test's pods, containers
// and volumes therefore live and die with it: the manifests name their pod `vrrpd` and their
// emptyDir volumes `run` and `tmp` (podman 4.3 makes them named volumes), which would clash with
// another test run, or an operator's pod, in the machine's store. Every command uses
// scripts/containers.conf (runc, cgroupfs, no default ulimits) through CONTAINERS_CONF.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finish, type Finished } from './processes.js';

const root = join(import.meta.dirname, '..', '..');
export const CONTAINERS_CONF = join(root, 'scripts', 'containers.conf');

/** podman is installed (scripts/setup installs it). */
export function havePodman(): boolean {
  return spawnSync('podman', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Removes `image` from the machine's store, where scripts/image built it, with the layers only it
 * used (its untagged parents); the cached bases scripts/image keeps tagged stay.
 */
export async function removeMachineImage(image: string): Promise<void> {
  const result = await finish(spawn('podman', ['rmi', image], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CONTAINERS_CONF } }));
  if (result.code !== 0) throw new Error(`podman rmi ${image} failed (${result.code}): ${result.stderr.trim()}`);
}

/** A reference for a test run's own image: `localhost/vrrpd-test-PID-TIME:VERSION`. */
export function testImageReference(version: string): string {
  return `localhost/vrrpd-test-${process.pid}-${Date.now()}:${version}`;
}

/**
 * Removes the images of test runs that ended without removing theirs (killed before their
 * afterAll): those whose process is gone.
 */
export async function sweepStaleTestImages(): Promise<void> {
  const listed = spawnSync('podman', ['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', 'reference=localhost/vrrpd-test-*'], { encoding: 'utf8', env: { ...process.env, CONTAINERS_CONF } });
  for (const reference of listed.stdout.split('\n').filter(Boolean)) {
    const pid = Number(/^localhost\/vrrpd-test-(\d+)-/.exec(reference)?.[1]);
    if (Number.isInteger(pid) && !processExists(pid)) await removeMachineImage(reference);
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the machine's store has `image`. */
export function machineHasImage(image: string): boolean {
  return spawnSync('podman', ['image', 'exists', image], { stdio: 'ignore', env: { ...process.env, CONTAINERS_CONF } }).status === 0;
}

/** The machine's image store, as scripts/image's podman sees it. */
function machineGraphRoot(): string {
  const info = spawnSync('podman', ['info', '--format', '{{.Store.GraphRoot}}'], { encoding: 'utf8', env: { ...process.env, CONTAINERS_CONF } });
  if (info.status !== 0) throw new Error(`podman info failed: ${info.stderr}`);
  return info.stdout.trim();
}

export class PrivatePodman {
  private readonly env: NodeJS.ProcessEnv;

  private constructor(readonly dir: string) {
    const storageConf = join(dir, 'storage.conf');
    writeFileSync(
      storageConf,
      [
        '[storage]',
        'driver = "overlay"',
        `graphroot = "${join(dir, 'root')}"`,
        `runroot = "${join(dir, 'run')}"`,
        '[storage.options]',
        `additionalimagestores = ["${machineGraphRoot()}"]`,
        '',
      ].join('\n'),
    );
    this.env = { ...process.env, CONTAINERS_CONF, CONTAINERS_STORAGE_CONF: storageConf };
  }

  static create(): PrivatePodman {
    return new PrivatePodman(mkdtempSync(join(tmpdir(), 'vrrpd-podman-')));
  }

  /**
   * `podman ARGS` in this podman. With `netns`, inside that network namespace through
   * `nsenter --net` (not `ip netns exec`, which remounts /sys and hides the cgroup mounts): a
   * hostNetwork pod then gets the namespace's links as its host's.
   */
  run(args: readonly string[], netns?: string): Promise<Finished> {
    const podman = ['podman', '--tmpdir', join(this.dir, 'tmp'), ...args];
    const [command = 'podman', ...rest] = netns === undefined ? podman : ['nsenter', `--net=/run/netns/${netns}`, ...podman];
    return finish(spawn(command, rest, { stdio: ['ignore', 'pipe', 'pipe'], env: this.env }));
  }

  /** As run(), but a failure is an error with what podman said; resolves with its stdout. */
  async ok(args: readonly string[], netns?: string): Promise<string> {
    const result = await this.run(args, netns);
    if (result.code !== 0) throw new Error(`podman ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`);
    return result.stdout;
  }

  /**
   * Removes every pod, container and volume of this podman, then its directory. Resolves with the
   * mounts podman left under it (none when its removals worked), which are detached before the
   * directory goes so that nothing is deleted through them.
   */
  async destroy(): Promise<string[]> {
    let left: string[] = [];
    try {
      await this.run(['pod', 'rm', '--all', '--force', '--time', '0']);
      await this.run(['rm', '--all', '--force', '--time', '0']);
      await this.run(['volume', 'rm', '--all', '--force']);
    } finally {
      left = mountsUnder(this.dir);
      for (const mount of [...left].reverse()) spawnSync('umount', ['--lazy', mount], { stdio: 'ignore' });
      rmSync(this.dir, { recursive: true, force: true });
    }
    return left;
  }

  /** What is still there: pods, containers, volumes (for a test that checks its clean-up). */
  async leftovers(): Promise<string[]> {
    const lists = await Promise.all([
      this.ok(['pod', 'ps', '--quiet']),
      this.ok(['ps', '--all', '--quiet']),
      this.ok(['volume', 'ls', '--quiet']),
    ]);
    return lists.flatMap((list) => list.split('\n').filter(Boolean));
  }
}

/** Mount points at or below `dir`, outermost first. */
function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((mount) => mount === dir || mount.startsWith(`${dir}/`));
}
