// The real runners: exit status, a timeout that kills the script and its children, output that is
// never buffered, a clean environment, the configured user, and an event loop that keeps going;
// the same for Node's child_process (fork) and the shim's spawnScript (clone(CLONE_VM | CLONE_VFORK)),
// which the daemon uses where it can (src/linux/script-spawner.ts).
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { nativeShims } from '../../src/linux/native.js';
import { NativeProcessRunner } from '../../src/linux/script-spawner.js';
import { ChildProcessRunner, type ProcessRunner } from '../../src/scripting/process-runner.js';
import { processAlive as alive } from '../helpers/netns.js';
import { scratchDir } from '../helpers/scratch.js';

const { spawnScript, spawnSupported } = nativeShims();
// The native runner where the shim and the kernel have spawnScript (Linux 5.4).
const runners: Array<[string, ProcessRunner]> = [
  ['ChildProcessRunner', new ChildProcessRunner()],
  ...(spawnScript !== undefined && spawnSupported?.() === true ? [['NativeProcessRunner', new NativeProcessRunner(spawnScript)] as [string, ProcessRunner]] : []),
];

/** Starts `sleep 1000` in the background and writes its PID to the file, whole (created by a rename). */
const backgroundSleep = (pidFile: string): string => `sleep 1000 & echo $! > ${pidFile}.tmp && mv ${pidFile}.tmp ${pidFile}`;

/** The PID in the file; never 0, which kill(2) would take as our own process group. */
function readPid(pidFile: string): number {
  const pid = Number(readFileSync(pidFile, 'utf8'));
  expect(pid).toBeGreaterThan(1);
  return pid;
}

describe.each(runners)('%s', (_name, runner) => {
  const sh = (script: string, timeoutMs = 10_000) => runner.run({ argv: ['/bin/sh', '-c', script], uid: 0, gid: 0, timeoutMs });

  test('exit status, signals and programs that do not exist', async () => {
    expect(await sh('exit 3')).toEqual({ kind: 'exited', code: 3 });
    expect(await sh('kill -TERM $$')).toEqual({ kind: 'signalled', signal: 'SIGTERM' });
    expect(await runner.run({ argv: ['/nonexistent/check'], uid: 0, gid: 0, timeoutMs: 1000 })).toMatchObject({ kind: 'failed-to-start' });
  });

  test('without a timeout (notify_fifo_script) a run lasts until it ends or is aborted, with its children', async () => {
    expect(await runner.run({ argv: ['/bin/sh', '-c', 'sleep 0.3; exit 4'], uid: 0, gid: 0 })).toEqual({ kind: 'exited', code: 4 });
    const stop = new AbortController();
    const running = runner.run({ argv: ['/bin/sh', '-c', 'sleep 1000 & wait'], uid: 0, gid: 0, signal: stop.signal });
    setTimeout(() => stop.abort(), 200);
    expect(await running).toEqual({ kind: 'signalled', signal: 'SIGKILL' });
  });

  test('a hung script is killed at its timeout together with the child it started', async () => {
    const dir = scratchDir('runner');
    const pidFile = join(dir, 'child.pid');
    let timerFired = false;
    setTimeout(() => (timerFired = true), 50);
    const outcome = await sh(`${backgroundSleep(pidFile)}; sleep 1000`, 500);
    expect(outcome).toEqual({ kind: 'timed-out' });
    // The event loop ran while the script hung.
    expect(timerFired).toBe(true);
    const child = readPid(pidFile);
    const start = Date.now();
    while (alive(child) && Date.now() - start < 3000) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(alive(child)).toBe(false);
  });

  test('aborting a run kills its process group at once', async () => {
    const dir = scratchDir('runner');
    const pidFile = join(dir, 'child.pid');
    const abort = new AbortController();
    const run = runner.run({ argv: ['/bin/sh', '-c', `${backgroundSleep(pidFile)}; sleep 1000`], uid: 0, gid: 0, timeoutMs: 60_000, signal: abort.signal });
    const start = Date.now();
    while (!existsSync(pidFile) && Date.now() - start < 3000) await new Promise((resolve) => setTimeout(resolve, 20));
    abort.abort();
    expect(await run).toEqual({ kind: 'signalled', signal: 'SIGKILL' });
    const child = readPid(pidFile);
    while (alive(child) && Date.now() - start < 5000) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(alive(child)).toBe(false);
  });

  test('50 MB of output is discarded, not buffered', async () => {
    const before = process.memoryUsage().rss;
    expect(await sh('head -c 50000000 /dev/zero; echo done >&2')).toEqual({ kind: 'exited', code: 0 });
    expect(process.memoryUsage().rss - before).toBeLessThan(40_000_000);
  });

  test('the environment is clean: PATH only, nothing of vrrpd’s', async () => {
    process.env['VRRPD_TEST_SECRET'] = 'leak';
    const dir = scratchDir('runner');
    const out = join(dir, 'env');
    await sh(`/usr/bin/env > ${out}`);
    delete process.env['VRRPD_TEST_SECRET'];
    const env = readFileSync(out, 'utf8');
    expect(env).toMatch(/^PATH=\/usr\/local\/sbin:/m);
    expect(env).not.toContain('VRRPD_TEST_SECRET');
    expect(env).not.toMatch(/^HOME=/m);
  });

  test.skipIf(process.getuid?.() !== 0)('runs as the configured user and group', async () => {
    const dir = scratchDir('runner');
    chmodSync(dir, 0o777);
    const out = join(dir, 'id');
    expect(await runner.run({ argv: ['/bin/sh', '-c', `id -u > ${out}; id -g >> ${out}`], uid: 65534, gid: 65534, timeoutMs: 5000 })).toEqual({ kind: 'exited', code: 0 });
    expect(readFileSync(out, 'utf8')).toBe('65534\n65534\n');
  });
});
