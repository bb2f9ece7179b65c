// `vrrpd lab`, the real executable as an operator runs it: the story it tells (election, failover
// within Master_Down_Interval, the override) and that it leaves nothing behind: after a full run,
// after a Ctrl-C in the middle, and after --keep once --clean ran.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { masterDownInterval } from '../../../src/vrrp/protocol/timers.js';
import { isRoot, sh } from '../../helpers/netns.js';
import { scratchDir } from '../../helpers/scratch.js';

const vrrpd = join(import.meta.dirname, '..', '..', '..', 'bin', 'vrrpd');
const STATE_DIR = '/run/vrrpd-lab';

interface Finished {
  readonly code: number | null;
  readonly output: string;
  readonly stderr: string;
  readonly pid: number;
}

/** Runs `vrrpd lab ARGS`; `onOutput` sees stdout as it grows and may signal the process. */
function runLab(
  args: readonly string[],
  onOutput?: (output: string, signal: (name: NodeJS.Signals) => void) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(vrrpd, ['lab', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let output = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      onOutput?.(output, (name) => child.kill(name));
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, output, stderr, pid: child.pid ?? -1 }));
  });
}

/** What a lab run by `pid` left: its namespaces, its files, and processes started from its files. */
async function leftovers(pid: number): Promise<{ namespaces: string[]; directories: string[]; processes: string[] }> {
  const prefix = `vrrpdlab-${pid}-`;
  const namespaces = (await sh('ip', ['netns', 'list'])).stdout.split('\n').filter((line) => line.startsWith(prefix));
  const directories = existsSync(STATE_DIR) ? readdirSync(STATE_DIR).filter((name) => name.startsWith(prefix)) : [];
  const processes: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const commandLine = readFileSync(join('/proc', entry, 'cmdline'), 'utf8').replaceAll('\0', ' ');
      if (commandLine.includes(`${STATE_DIR}/${prefix}`)) processes.push(`${entry}: ${commandLine}`);
    } catch {
      // gone meanwhile
    }
  }
  return { namespaces, directories, processes };
}

const nothing = { namespaces: [], directories: [], processes: [] };

describe.skipIf(!isRoot())('vrrpd lab (needs root)', () => {
  test('runs to completion: names the Master, the failover time within Master_Down_Interval, the override; leaves nothing', { timeout: 120_000 }, async () => {
    const run = await runLab([]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.output).toMatch(/^ {3}r1 is Master \(priority 150\) and holds 192\.0\.2\.100/m);
    const failover = /r2 took over: failover time (\d+\.\d+) s from the kill/.exec(run.output);
    expect(failover).not.toBeNull();
    // RFC 5798 §6.1: the Backup (priority 100, advert 1 s) takes over within Master_Down_Interval
    // of the last advertisement; a margin for a loaded machine.
    const seconds = Number(failover?.[1]);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds * 1000).toBeLessThanOrEqual(masterDownInterval(3, 100, 1000) + 1000);
    expect(run.output).toContain('Master_Down_Interval of r2 (priority 100) = 3 x 1 s + Skew_Time 0.609 s = 3.609 s');
    expect(run.output).toContain("r1's eth0 still carries 192.0.2.100: a SIGKILLed daemon cannot remove its address");
    expect(run.output).toContain("r1's vrrpd removed 192.0.2.100, left by its killed run, at start");
    expect(run.output).toMatch(/r1 is Master again [\d.]+ s after the restart/);
    expect(run.output).toContain('$ vrrpd priority VI_1 90 --control-socket');
    expect(run.output).toContain('VI_1: priority 90 (base 150), Master');
    expect(run.output).toMatch(/override: r2 \(priority 100\) is Master [\d.]+ s later; r1 advertises 90/);
    expect(run.output).toMatch(/back: r1 \(priority 150\) is Master [\d.]+ s later/);
    expect(run.output).toMatch(/stopped 3 vrrpd, removed 4 namespaces/);
    expect(await leftovers(run.pid)).toEqual(nothing);
  });

  test.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s in the middle (daemons running, election under way) cleans up and exits %i', { timeout: 60_000 }, async (name, code) => {
    let sent = false;
    const run = await runLab([], (output, signal) => {
      if (!sent && output.includes('3. Election')) {
        sent = true;
        signal(name);
      }
    });
    expect(sent).toBe(true);
    expect(run.code).toBe(code);
    expect(run.output).toContain(`${name}: stopping the lab`);
    expect(run.output).toMatch(/Cleaning up\n {3}stopped 3 vrrpd, removed 4 namespaces/);
    expect(run.output).not.toContain('Failover');
    expect(await leftovers(run.pid)).toEqual(nothing);
  });

  test('a lab whose vrrpd lab was SIGKILLed is removed by --clean', { timeout: 60_000 }, async () => {
    let killed = false;
    const run = await runLab([], (output, signal) => {
      if (!killed && output.includes('3. Election')) {
        killed = true;
        signal('SIGKILL');
      }
    });
    expect(run.code).toBeNull();
    const left = await leftovers(run.pid);
    expect(left.namespaces).toHaveLength(4);
    expect(left.processes).toHaveLength(3);
    const clean = await promisify(execFile)(vrrpd, ['lab', '--clean', `vrrpdlab-${run.pid}-1`]);
    expect(clean.stdout).toBe(`vrrpdlab-${run.pid}-1: removed 4 namespaces and their vrrpd\n`);
    expect(await leftovers(run.pid)).toEqual(nothing);
  });

  test('--keep leaves the lab running and prints how to explore it; --clean removes it', { timeout: 120_000 }, async () => {
    const run = await runLab(['--keep', '--routers', '2']);
    expect(run.code).toBe(0);
    const kept = await leftovers(run.pid);
    try {
      expect(kept.namespaces.map((line) => line.split(' ')[0]).sort()).toEqual([`vrrpdlab-${run.pid}-1-r1`, `vrrpdlab-${run.pid}-1-r2`, `vrrpdlab-${run.pid}-1-sw`]);
      expect(kept.processes).toHaveLength(2);
      const socket = `${STATE_DIR}/vrrpdlab-${run.pid}-1/r1.sock`;
      expect(run.output).toContain(`status --control-socket ${socket}`);
      expect(run.output).toMatch(new RegExp(`lab --clean vrrpdlab-${run.pid}-1 +# remove the lab`));
      const status = JSON.parse((await promisify(execFile)(vrrpd, ['status', '--json', '--control-socket', socket])).stdout) as { instances: Array<{ state: string }> };
      expect(status.instances[0]?.state).toBe('Master');
    } finally {
      const clean = await promisify(execFile)(vrrpd, ['lab', '--clean', `vrrpdlab-${run.pid}-1`]);
      expect(clean.stdout).toContain(`vrrpdlab-${run.pid}-1: removed 3 namespaces and their vrrpd`);
    }
    expect(await leftovers(run.pid)).toEqual(nothing);
  });

  test('an error after the namespaces exist (the state directory cannot be made) removes them too', { timeout: 60_000 }, async () => {
    const scratch = scratchDir('lab-test');
    const notADirectory = join(scratch, 'file');
    writeFileSync(notADirectory, '');
    try {
      const run = await runLab([], undefined, { ...process.env, VRRPD_LAB_DIR: join(notADirectory, 'labs') });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^vrrpd lab: ENOTDIR/);
      expect((await leftovers(run.pid)).namespaces).toEqual([]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  test('clear errors: not root, no ip command, bad --routers', async () => {
    const attempt = (command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env) =>
      promisify(execFile)(command, [...args], { env }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      );
    // As `nobody`, allowed to read the checkout wherever it is (a clone in /root, mode 0700, is out
    // of nobody's reach): CAP_DAC_READ_SEARCH alone, kept across exec as an ambient capability.
    const asNobody = ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--inh-caps=+dac_read_search', '--ambient-caps=+dac_read_search', '--'];
    expect(await attempt('setpriv', [...asNobody, process.execPath, vrrpd, 'lab'])).toEqual({
      code: 1,
      stderr: 'vrrpd lab: needs root: it creates network namespaces and runs vrrpd in them (try: sudo vrrpd lab)\n',
    });
    expect(await attempt(process.execPath, [vrrpd, 'lab'], { PATH: '/nonexistent' })).toEqual({
      code: 1,
      stderr: 'vrrpd lab: the `ip` command (iproute2) is missing: apt-get install iproute2\n',
    });
    expect(await attempt(vrrpd, ['lab', '--routers', '1'])).toEqual({ code: 2, stderr: expect.stringContaining('vrrpd: --routers: "1" is not a number of routers from 2 to 9\n') });
  });
});
