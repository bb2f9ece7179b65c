// SIGHUP, SIGUSR1 and SIGUSR2 sent while `vrrpd run` is still starting (configuration management
// starts it, then reloads): vrrpd survives them and acts on them once started, as keepalived does.
// The test holds vrrpd inside its start-up by giving it its configuration through a FIFO: the
// FIFO's writer opens only once vrrpd has opened it to read, and vrrpd cannot go on until the test
// writes, so the signals provably arrive while it starts.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { instanceConfig, waitFor } from '../helpers/daemons.js';
import { isRoot, NamespaceLab, sweepStaleLabs } from '../helpers/netns.js';
import { scratchDir } from '../helpers/scratch.js';

const vrrpd = join(import.meta.dirname, '..', '..', 'bin', 'vrrpd');
let lab: NamespaceLab | undefined;
afterEach(async () => {
  await lab?.destroy();
  lab = undefined;
});

/**
 * Writes `text` to the FIFO once its reader (vrrpd) opens it; rejects if `exited` comes first,
 * and then unblocks its own pending open (a FIFO opened for reading and writing never blocks).
 */
async function feed(fifo: string, exited: Promise<unknown>, text: string, beforeWriting: () => Promise<void> = async () => undefined): Promise<void> {
  const opening = open(fifo, 'w');
  const died = exited.then((code) => {
    throw new Error(`vrrpd exited (${String(code)}) before reading its configuration`);
  });
  try {
    const writer = await Promise.race([opening, died]);
    await beforeWriting();
    await writer.writeFile(text);
    await writer.close();
  } catch (error) {
    const unblock = await open(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    await (await opening).close();
    await unblock.close();
    throw error;
  }
}

const events = (lines: readonly string[], event: string): Array<Record<string, unknown>> =>
  lines.flatMap((line) => {
    try {
      const record = JSON.parse(line) as Record<string, unknown>;
      return record['event'] === event ? [record] : [];
    } catch {
      return [];
    }
  });

describe.skipIf(!isRoot())('signals during start-up (needs root)', () => {
  test('SIGHUP, SIGUSR1, SIGUSR2 while vrrpd reads its configuration: it survives, then reloads once and writes both dumps', { timeout: 60_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const dir = scratchDir('startup-signals');
    const fifo = join(dir, 'keepalived.conf');
    execFileSync('mkfifo', [fifo]);
    const socket = join(dir, 'vrrpd.sock');
    const dumps = { data: join(dir, 'keepalived.data'), stats: join(dir, 'keepalived.stats') };
    const child = a.spawn('node', [vrrpd, 'run', '-f', fifo, '--control-socket', socket, '--data-file', dumps.data, '--stats-file', dumps.stats]);
    const lines: string[] = [];
    for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? String(code))));

    // Start-up: vrrpd has opened its configuration and waits for it. Each signal three times.
    await feed(fifo, exited, instanceConfig({ priority: 100, version: 3, vip: '192.0.2.100/24' }), async () => {
      for (let round = 0; round < 3; round++) {
        for (const signal of ['SIGHUP', 'SIGUSR1', 'SIGUSR2'] as const) child.kill(signal);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('running'), 200))])).toBe('running');
      expect(events(lines, 'started')).toEqual([]);
    });

    // Started (done reading: a writer opened sooner would add to the first text), it reloads: it
    // reads the FIFO again, and gets a configuration with priority 120.
    await waitFor('vrrpd to start', async () => events(lines, 'started').length === 1, 15_000);
    await feed(fifo, exited, instanceConfig({ priority: 120, version: 3, vip: '192.0.2.100/24' }));
    await waitFor('the reload asked for during start-up', async () => events(lines, 'reloaded').length === 1, 15_000);
    const order = lines.map((line) => (JSON.parse(line) as { event?: string }).event).filter((event) => event === 'started' || event === 'startup-signal' || event === 'reloading');
    expect(order).toEqual(['started', 'startup-signal', 'startup-signal', 'startup-signal', 'reloading']);
    // Each kind once, in the order the kernel delivered them (not necessarily the order sent).
    expect(events(lines, 'startup-signal').map((record) => record['signal']).sort()).toEqual(['SIGHUP', 'SIGUSR1', 'SIGUSR2']);
    const status = JSON.parse(execFileSync(vrrpd, ['status', '--json', '--control-socket', socket], { encoding: 'utf8' })) as { instances: Array<{ name: string; basePriority: number }> };
    expect(status.instances).toEqual([expect.objectContaining({ name: 'VI_1', basePriority: 120 })]);
    // The dumps were written once, by the started daemon.
    expect(events(lines, 'dump-written').map((record) => [record['format'], record['trigger']]).sort()).toEqual([
      ['data', 'SIGUSR1'],
      ['stats', 'SIGUSR2'],
    ]);
    expect(readFileSync(dumps.data, 'utf8')).toMatch(/VRRP Instance = VI_1/);
    expect(existsSync(dumps.stats)).toBe(true);
    // Three SIGHUPs, one reload; and the daemon still stops as usual.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(events(lines, 'reloading')).toHaveLength(1);
    child.kill('SIGTERM');
    expect(await exited).toBe('0');
  });
});
