// vrrpd's BFD against keepalived 2.2.7's own BFD process, in namespaces: the session comes Up,
// keepalived computes the Detection Time vrrpd's timers call for, and each end goes Down with the
// diagnostic the other's departure calls for (read from keepalived's log lines).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { bfdBlock, startVrrpdConf, type LabVrrpd } from '../helpers/bfd-lab.js';
import { waitFor } from '../helpers/daemons.js';
import { isRoot, NamespaceLab, sweepStaleLabs, type LabHost } from '../helpers/netns.js';

const haveKeepalived = spawnSync('keepalived', ['--version'], { stdio: 'ignore' }).status === 0;
let lab: NamespaceLab | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  await lab?.destroy();
  lab = undefined;
});

interface KeepalivedBfd {
  readonly lines: string[];
  /** SIGKILL of every keepalived process: the BFD child dies without a word. */
  crash(): Promise<void>;
  stop(): Promise<void>;
}

/** keepalived with its BFD process (and VRRP, which has nothing to do), logging to the console. */
function startKeepalivedBfd(host: LabHost, text: string): KeepalivedBfd {
  const dir = mkdtempSync(join(tmpdir(), 'vrrpd-kabfd-'));
  const file = join(dir, 'keepalived.conf');
  writeFileSync(file, text);
  const pid = (name: string) => join(dir, `${name}.pid`);
  const child = host.spawn('keepalived', ['--dont-fork', '--log-console', '--no-syslog', '-f', file, '-p', pid('main'), '-r', pid('vrrp'), '-c', pid('checkers'), '-b', pid('bfd')]);
  const lines: string[] = [];
  const take = (chunk: Buffer): void => void lines.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    host.killAll();
    rmSync(dir, { recursive: true, force: true });
  };
  cleanups.push(stop);
  return { lines, stop, crash: async () => host.crash() };
}

describe.skipIf(!isRoot() || !haveKeepalived)('vrrpd and keepalived BFD (needs root and keepalived)', () => {
  test('the session comes Up, keepalived derives its Detection Time from vrrpd\'s timers, and each end sees the other leave', { timeout: 120_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const r1 = await lab.addHost('r1', ['192.0.2.1/24']);
    const k = await lab.addHost('k', ['192.0.2.2/24']);
    const keepalived = startKeepalivedBfd(k, 'bfd_instance to_vrrpd {\n  neighbor_ip 192.0.2.1\n  source_ip 192.0.2.2\n  min_rx 200\n  min_tx 100\n  multiplier 4\n}\n');
    const start = (): LabVrrpd => {
      const daemon = startVrrpdConf(r1, bfdBlock('to_keepalived', { neighbor: '192.0.2.2', source: '192.0.2.1', minTx: 150, minRx: 300, multiplier: 3 }));
      cleanups.push(() => daemon.stop());
      return daemon;
    };
    let ours = start();
    const upAtBoth = (since: number) =>
      waitFor('the session Up at both ends', async () => keepalived.lines.slice(since).some((line) => line.includes('(to_vrrpd) Entering Up state')) && (await ours.session('to_keepalived').catch(() => undefined))?.state === 'Up', 20_000);
    await upAtBoth(0);
    const session = await ours.session('to_keepalived');
    // vrrpd sends every max(150, keepalived's 200) ms and waits 4 × max(300, keepalived's 100) ms.
    expect(session.timers).toEqual({ transmitInterval: 200_000, detectionTime: 1_200_000 });
    expect(session.remote).toEqual({ desiredMinTxInterval: 100_000, requiredMinRxInterval: 200_000, detectMult: 4 });
    // keepalived waits vrrpd's 3 × max(its min_rx 200, vrrpd's min_tx 150) = 600 ms.
    await waitFor('keepalived to log its Detection Time', async () => keepalived.lines.some((line) => line.includes('Detection time is 600000 us')), 5000);

    // vrrpd stops: AdminDown, keepalived enters Down with "Neighbor Signaled Session Down".
    let mark = keepalived.lines.length;
    await ours.stop();
    await waitFor('keepalived to enter Down', async () => keepalived.lines.slice(mark).some((line) => line.includes('(to_vrrpd) Entering Down state')), 5000);
    expect(keepalived.lines.slice(mark).find((line) => line.includes('Entering Down state'))).toContain('Local diagnostic - Neighbor Signaled Session Down, Remote diagnostic - Administratively Down');

    // vrrpd dies without a word: keepalived's Detection Time expires.
    ours = start();
    mark = keepalived.lines.length;
    await upAtBoth(mark);
    mark = keepalived.lines.length;
    await ours.stop('SIGKILL');
    await waitFor('keepalived to time out', async () => keepalived.lines.slice(mark).some((line) => line.includes('(to_vrrpd) Entering Down state')), 5000);
    expect(keepalived.lines.slice(mark).find((line) => line.includes('Entering Down state'))).toContain('Local diagnostic - Control Detection Time Expired');

    // keepalived dies without a word: vrrpd's Detection Time expires.
    ours = start();
    mark = keepalived.lines.length;
    await upAtBoth(mark);
    await keepalived.crash();
    await waitFor('vrrpd to time out', async () => (await ours.session('to_keepalived')).state === 'Down', 5000);
    expect((await ours.session('to_keepalived')).lastDown).toMatchObject({ diag: 1, reason: 'Control Detection Time Expired' });
  });

  test('over IPv6 keepalived sends hop limit 64 unless told `hoplimit 255`: vrrpd, as RFC 5881 §5 asks, counts those packets and stays Down', { timeout: 90_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const r1 = await lab.addHost('r1', ['2001:db8::1/64']);
    const k = await lab.addHost('k', ['2001:db8::2/64']);
    const block = (hoplimit: string) => `bfd_instance to_vrrpd {\n  neighbor_ip 2001:db8::1\n  source_ip 2001:db8::2\n  min_rx 100\n  min_tx 100\n${hoplimit}}\n`;
    let keepalived = startKeepalivedBfd(k, block(''));
    const ours = startVrrpdConf(r1, bfdBlock('to_keepalived', { neighbor: '2001:db8::2', source: '2001:db8::1', minTx: 100, minRx: 100 }));
    cleanups.push(() => ours.stop());
    await waitFor('hop-limit-64 packets to be refused', async () => ((await ours.status().catch(() => undefined))?.bfd?.discarded.ttl ?? 0) >= 3, 10_000);
    expect((await ours.session('to_keepalived')).state).toBe('Down');
    await keepalived.stop();
    keepalived = startKeepalivedBfd(k, block('  hoplimit 255\n'));
    await waitFor('the session Up with hoplimit 255', async () => (await ours.session('to_keepalived')).state === 'Up', 20_000);
  });
});
