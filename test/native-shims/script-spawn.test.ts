// spawnScript (native-shims/script_spawn.cc): the daemon's scripts started without fork(), with
// what uv_spawn gave them (a session of their own, stdio on /dev/null, cwd /, default signal
// dispositions and an empty mask, PATH only, the script's user and group), failures to start
// named by their errno, and nothing left behind: no zombie, no descriptor.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { nativeShims, type NativeBfdPacer } from '../../src/linux/native.js';
import { shimFile } from '../../src/linux/package-files.js';
import { NativeProcessRunner } from '../../src/linux/script-spawner.js';
import { isRoot, processAlive as alive } from '../helpers/netns.js';
import { scratchDir } from '../helpers/scratch.js';

const shims = nativeShims();
const supported = shims.spawnScript !== undefined && shims.spawnSupported?.() === true;
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

interface Ended {
  readonly pid: number;
  readonly code: number;
  readonly signal: number;
}

/** Starts argv and resolves with its end; a failure to start is thrown synchronously, as spawnScript throws it. */
function start(argv: readonly string[], options: { searchPath?: string; uid?: number; gid?: number } = {}): { pid: number; ended: Promise<Ended> } {
  let report: (ended: Ended) => void = () => undefined;
  const ended = new Promise<Ended>((resolve) => (report = resolve));
  const pid = shims.spawnScript!(argv, [`PATH=${PATH}`], options.searchPath ?? PATH, options.uid ?? -1, options.gid ?? -1, (code, signal) => report({ pid, code, signal }));
  return { pid, ended };
}

const run = (argv: readonly string[], options?: { searchPath?: string; uid?: number; gid?: number }): Promise<Ended> => start(argv, options).ended;

function thrown(action: () => unknown): (Error & { errno?: number; code?: string; syscall?: string }) | undefined {
  try {
    action();
  } catch (error) {
    return error as Error & { errno?: number; code?: string; syscall?: string };
  }
  return undefined;
}

/** Our children that have exited and not been reaped. */
function zombieChildren(): number[] {
  const zombies: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, the last ')' ends it.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z' && Number(ppid) === process.pid) zombies.push(Number(entry));
  }
  return zombies;
}

const openDescriptors = (): number => readdirSync('/proc/self/fd').length;

async function until(condition: () => boolean, ms = 5000): Promise<boolean> {
  const from = Date.now();
  while (!condition() && Date.now() - from < ms) await new Promise((resolve) => setTimeout(resolve, 10));
  return condition();
}

describe.skipIf(!supported)('spawnScript', () => {
  test('refuses bad arguments before starting anything', () => {
    const spawn = shims.spawnScript as unknown as (...args: unknown[]) => number;
    expect(() => spawn('/bin/true', [], PATH, -1, -1, () => undefined)).toThrow(TypeError);
    expect(() => spawn(['/bin/true'], [], PATH, -1, -1)).toThrow(TypeError);
    expect(() => spawn([], [], PATH, -1, -1, () => undefined)).toThrow(RangeError);
    expect(() => spawn(['/bin/true'], [], PATH, 0, -1, () => undefined)).toThrow(RangeError);
    expect(() => spawn(['/bin/true'], [], PATH, -2, -2, () => undefined)).toThrow(RangeError);
  });

  test('exit status and the killing signal', async () => {
    expect(await run(['/bin/sh', '-c', 'exit 3'])).toMatchObject({ code: 3, signal: 0 });
    expect(await run(['/bin/sh', '-c', 'kill -TERM $$'])).toMatchObject({ code: -1, signal: 15 });
  });

  test('a session and process group of its own, stdio on /dev/null, cwd /, default signals, PATH only', async () => {
    const dir = scratchDir('spawn');
    const out = join(dir, 'out');
    // Read before the output goes to the file: the shell's own descriptors, directory, group and session.
    const script = `f=/proc/$$; a="$(readlink $f/fd/0) $(readlink $f/fd/1) $(readlink $f/fd/2)"; { echo "$a"; pwd; cut -d" " -f5,6 $f/stat; } > ${out}`;
    const { pid, ended } = start(['/bin/sh', '-c', script]);
    expect(await ended).toMatchObject({ code: 0, signal: 0 });
    // pgrp and session: the child's own pid.
    expect(readFileSync(out, 'utf8')).toBe(`/dev/null /dev/null /dev/null\n/\n${pid} ${pid}\n`);
    // What the program itself starts with (the shell execs it): no signal blocked, none ignored
    // (Node ignores SIGPIPE; a script must not inherit that), PATH alone in the environment.
    expect(await run(['/bin/sh', '-c', `exec grep -E "^Sig(Blk|Ign)" /proc/self/status > ${out}`])).toMatchObject({ code: 0 });
    expect(readFileSync(out, 'utf8')).toBe('SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n');
    expect(await run(['/bin/sh', '-c', `exec env > ${out}`])).toMatchObject({ code: 0 });
    expect(readFileSync(out, 'utf8').split('\n').filter((line) => line !== '' && !line.startsWith('PWD='))).toEqual([`PATH=${PATH}`]);
  });

  test('PATH is searched as execvp searches it: a directory without the file or with it not executable is passed over', async () => {
    const dir = scratchDir('spawn');
    const denied = join(dir, 'denied');
    writeFileSync(join(dir, 'sh'), '#!/bin/sh\nexit 9\n', { mode: 0o644 });
    expect(await run(['sh', '-c', 'exit 5'], { searchPath: `/nonexistent:${dir}:/usr/bin:/bin` })).toMatchObject({ code: 5 });
    expect(await run(['true'], { searchPath: `/nonexistent::/bin` })).toMatchObject({ code: 0 });
    // Only a file it may not run: EACCES, not ENOENT.
    writeFileSync(denied, '#!/bin/sh\nexit 0\n', { mode: 0o644 });
    const error = thrown(() => start(['denied'], { searchPath: `/nonexistent:${dir}` }));
    expect(error?.message).toBe('execve denied: Permission denied (EACCES)');
    expect(error).toMatchObject({ errno: 13, code: 'EACCES', syscall: 'execve' });
  });

  test('a program that does not exist or may not run is a specific error, and leaves no child', async () => {
    const dir = scratchDir('spawn');
    const script = join(dir, 'check');
    writeFileSync(script, '#!/bin/sh\nexit 0\n', { mode: 0o644 });
    const descriptors = openDescriptors();
    const missing = thrown(() => start(['/nonexistent/check']));
    expect(missing?.message).toBe('execve /nonexistent/check: No such file or directory (ENOENT)');
    expect(missing).toMatchObject({ errno: 2, code: 'ENOENT', syscall: 'execve' });
    expect(thrown(() => start(['no-such-script']))).toMatchObject({ code: 'ENOENT' });
    expect(thrown(() => start([script]))).toMatchObject({ message: `execve ${script}: Permission denied (EACCES)`, code: 'EACCES' });
    expect(thrown(() => start([dir]))).toMatchObject({ code: 'EACCES' });
    chmodSync(script, 0o755);
    expect(await run([script])).toMatchObject({ code: 0 });
    expect(zombieChildren()).toEqual([]);
    expect(openDescriptors()).toBe(descriptors);
  });

  test('killing the process group ends the script and what it started', async () => {
    const dir = scratchDir('spawn');
    const pidFile = join(dir, 'sleep.pid');
    const { pid, ended } = start(['/bin/sh', '-c', `sleep 1000 & echo $! > ${pidFile}.tmp && mv ${pidFile}.tmp ${pidFile}; wait`]);
    expect(await until(() => existsSync(pidFile))).toBe(true);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(grandchild).toBeGreaterThan(1);
    process.kill(-pid, 'SIGKILL');
    expect(await ended).toMatchObject({ code: -1, signal: 9 });
    expect(await until(() => !alive(grandchild))).toBe(true);
  });

  test.skipIf(!isRoot())('runs as the user and group given, with no supplementary group', async () => {
    const dir = scratchDir('spawn');
    chmodSync(dir, 0o777);
    const out = join(dir, 'id');
    expect(await run(['/bin/sh', '-c', `id -u > ${out}; id -g >> ${out}; id -G >> ${out}`], { uid: 65534, gid: 65533 })).toMatchObject({ code: 0 });
    expect(readFileSync(out, 'utf8')).toBe('65534\n65533\n65533\n');
  });

  test.skipIf(isRoot())('without root, changing user is the kernel refusal, named', () => {
    expect(thrown(() => start(['/bin/true'], { uid: 0, gid: 0 }))).toMatchObject({ syscall: 'setgroups', code: 'EPERM' });
  });

  test('with input: stdin holds it, stdout and stderr come back whole (past a pipe\'s 64 KiB), and no descriptor stays', async () => {
    expect(shims.spawnCaptures).toBe(true);
    const descriptors = openDescriptors();
    const captured = (argv: readonly string[], input: string) =>
      new Promise<{ code: number; signal: number; stdout: string; stderr: string }>((resolve) => {
        shims.spawnScript!(argv, [`PATH=${PATH}`], PATH, -1, -1, (code, signal, stdout, stderr) => resolve({ code, signal, stdout: stdout.toString(), stderr: stderr.toString() }), Buffer.from(input));
      });
    const big = 'x'.repeat(300_000);
    expect(await captured(['/bin/sh', '-c', 'cat; echo "to stderr" >&2; exit 3'], `${big}\n`)).toEqual({ code: 3, signal: 0, stdout: `${big}\n`, stderr: 'to stderr\n' });
    expect(await captured(['/bin/sh', '-c', 'wc -c'], '')).toMatchObject({ code: 0, stdout: '0\n', stderr: '' });
    // A start that fails closes what it opened.
    expect(thrown(() => shims.spawnScript!(['no-such-tool'], [], PATH, -1, -1, () => undefined, Buffer.from('')))?.code).toBe('ENOENT');
    expect(openDescriptors()).toBe(descriptors);
    expect(thrown(() => shims.spawnScript!(['/bin/true'], [], PATH, -1, -1, () => undefined, 'not a buffer' as unknown as Buffer))?.message).toContain('input: Buffer');
  });

  test('a process that ends with its scripts still running exits normally', () => {
    // Their polls are unreferenced, so Node ends first; while it tears its environment down, the
    // loop runs once more and reports exits to an environment where no JavaScript may run, which
    // node-addon-api's MakeCallback turned into an abort (found at 200 starts, exit 134).
    const shim = shimFile(join(import.meta.dirname, '..', '..'));
    const program = `const s = require(${JSON.stringify(shim)}); for (let i = 0; i < 200; i++) s.spawnScript(['/bin/true'], [], '/bin', -1, -1, () => undefined);`;
    const ended = spawnSync(process.execPath, ['-e', program], { encoding: 'utf8' });
    expect(ended.stderr).toBe('');
    expect([ended.status, ended.signal]).toEqual([0, null]);
  });

  test('200 runs beside a running BFD pacer all exit 0, leaving no zombie and no descriptor', async () => {
    const runner = new NativeProcessRunner(shims.spawnScript!);
    const descriptors = openDescriptors();
    const pacer = new (shims.BfdPacer as unknown as new (...args: unknown[]) => NativeBfdPacer)({ nice: -10 }, () => undefined);
    try {
      const outcomes = [];
      for (let batch = 0; batch < 10; batch++) {
        outcomes.push(...(await Promise.all(Array.from({ length: 20 }, (_, i) => runner.run({ argv: i % 2 === 0 ? ['/bin/true'] : ['/bin/sh', '-c', 'exit 0'], uid: 0, gid: 0, timeoutMs: 10_000 })))));
      }
      expect(outcomes).toEqual(Array.from({ length: 200 }, () => ({ kind: 'exited', code: 0 })));
    } finally {
      pacer.close();
    }
    expect(zombieChildren()).toEqual([]);
    expect(openDescriptors()).toBe(descriptors);
  });
});
