// BFD's periodic packets and Detection Time on the native pacer thread (native-shims/bfd_pacer.cc)
// keep time while JavaScript does not run: a session to FRR's bfdd at 50 ms x 3 (Detection Time
// 150 ms) stays Up at both ends through 500 ms busy waits of the only JavaScript loop of the
// process running it. The same session with its timers on that loop, for comparison, is declared
// Down by FRR: the busy waits are long enough to matter.
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { encodeControlPacket } from '../../src/bfd/packet.js';
import { bfdBlock, sendDatagrams, startVrrpdConf, type LabVrrpd } from '../helpers/bfd-lab.js';
import { haveFrrBfdd, startBfdd, type Bfdd } from '../helpers/frr.js';
import { isRoot, NamespaceLab, sweepStaleLabs } from '../helpers/netns.js';
import { runProbe } from '../helpers/probe.js';
import { waitFor } from '../helpers/daemons.js';

const probe = join(import.meta.dirname, 'bfd-pacer-probe.mjs');

interface ProbeLine {
  readonly ready?: boolean;
  readonly up?: boolean;
  readonly done?: boolean;
  readonly holding?: number;
  readonly discarded?: Readonly<Record<string, number>>;
  readonly session?: { readonly state: string; readonly downTransitions: number; readonly packetsSent: number; readonly packetsReceived: number };
  readonly change?: { readonly from: string; readonly to: string; readonly diag: number };
  readonly error?: string;
}

let lab: NamespaceLab | undefined;
let frr: Bfdd | undefined;
let vrrpd: LabVrrpd | undefined;
afterEach(async () => {
  await vrrpd?.stop().catch(() => undefined);
  vrrpd = undefined;
  await frr?.stop().catch(() => undefined);
  frr = undefined;
  await lab?.destroy();
  lab = undefined;
});

describe.skipIf(!isRoot() || !haveFrrBfdd())('BFD timers while the JavaScript loop is held (needs root and frr)', () => {
  test('on the native thread the session stays Up at both ends through three 500 ms busy waits; on the loop FRR declares it Down', { timeout: 90_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const r1 = await lab.addHost('r1', ['192.0.2.1/24']);
    const up = await lab.addHost('up', ['192.0.2.254/24']);
    frr = await startBfdd(up, 'bfd\n peer 192.0.2.1 local-address 192.0.2.254\n  receive-interval 50\n  transmit-interval 50\n  detect-multiplier 3\n !\n!\n');
    const downsAtFrr = async (): Promise<number> => (await frr!.counters()).find((peer) => peer.peer === '192.0.2.1')?.['session-down'] ?? 0;

    const run = async (native: boolean) => {
      const { lines, exited, child } = await runProbe<ProbeLine>(r1, probe, { native, peer: '192.0.2.254', local: '192.0.2.1', intervalMs: 50, multiplier: 3, blocks: 3, blockMs: 500, gapMs: 1000 });
      await waitFor('the session Up', async () => lines.some((line) => line.up !== undefined), 30_000);
      expect(lines.find((line) => line.up !== undefined)?.up).toBe(true);
      // FRR sees it Up too before the loop is held.
      await waitFor('FRR to see the session Up', async () => (await frr!.peer('192.0.2.1'))?.status === 'up', 10_000);
      const before = await downsAtFrr();
      await waitFor('the busy waits to end', async () => lines.some((line) => line.done), 30_000);
      const after = await downsAtFrr();
      const peer = await frr!.peer('192.0.2.1');
      const done = lines.find((line) => line.done)!;
      // Read; the probe may stop the session now.
      child.stdin?.end();
      await exited;
      return { downs: after - before, frrStatus: peer?.status, session: done.session!, changes: lines.filter((line) => line.change).map((line) => line.change!), errors: lines.filter((line) => line.error) };
    };

    const native = await run(true);
    expect(native.errors).toEqual([]);
    expect(native.downs).toBe(0);
    expect(native.frrStatus).toBe('up');
    expect(native.session).toMatchObject({ state: 'Up', downTransitions: 0 });
    // Only the handshake: Down -> Init -> Up (or Down -> Up), never back.
    expect(native.changes.every((change) => change.to !== 'Down')).toBe(true);

    // The wait for the last run's AdminDown to settle at FRR before the comparison.
    await waitFor('FRR to see the first session end', async () => (await frr!.peer('192.0.2.1'))?.status !== 'up', 10_000);
    const loop = await run(false);
    expect(loop.downs).toBeGreaterThanOrEqual(1);
  });

  test("a flood while the loop is held: the thread queues 1024 datagrams for it, drops the rest and counts them as 'flood'; the session stays Up", { timeout: 90_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const r1 = await lab.addHost('r1', ['192.0.2.1/24']);
    const up = await lab.addHost('up', ['192.0.2.254/24']);
    const intruder = await lab.addHost('x', ['192.0.2.66/24']);
    // A second of silence before Down (200 ms x 5): the flood comes from a process on the same, maybe loaded, machine.
    frr = await startBfdd(up, 'bfd\n peer 192.0.2.1 local-address 192.0.2.254\n  receive-interval 200\n  transmit-interval 200\n  detect-multiplier 5\n !\n!\n');
    const { lines, exited, child } = await runProbe<ProbeLine>(r1, probe, { native: true, peer: '192.0.2.254', local: '192.0.2.1', intervalMs: 200, multiplier: 5, blocks: 1, blockMs: 6000, gapMs: 500 });
    await waitFor('the session Up', async () => lines.some((line) => line.up !== undefined), 30_000);
    expect(lines.find((line) => line.up !== undefined)?.up).toBe(true);
    await waitFor('the loop to be held', async () => lines.some((line) => line.holding === 0), 10_000);
    // Well formed, from a host that is no peer, for a discriminator no session has.
    const forged = encodeControlPacket({
      diag: 0, state: 'Up', poll: false, final: false, controlPlaneIndependent: false, authenticationPresent: false, demand: false, multipoint: false,
      detectMult: 3, myDiscriminator: 7, yourDiscriminator: 0x5eed, desiredMinTxInterval: 50_000, requiredMinRxInterval: 50_000, requiredMinEchoRxInterval: 0,
    });
    const sent = 3000;
    const sending = performance.now();
    await sendDatagrams(intruder, [{ to: '192.0.2.1', port: 3784, payload: forged, ttl: 255, count: sent }]);
    const sendingMs = performance.now() - sending;
    await waitFor('the busy wait to end', async () => lines.some((line) => line.done), 30_000);
    child.stdin?.end();
    await exited;
    const done = lines.find((line) => line.done)!;
    const flood = done.discarded!['flood']!;
    const unknown = done.discarded!['unknown-discriminator']!;
    // All sent within the hold (else the queue would have drained meanwhile and the figures below mean less).
    expect(sendingMs).toBeLessThan(6000);
    expect(flood).toBeGreaterThan(0);
    // What the loop saw is at most the thread's queue; the kernel may drop some before the thread reads them.
    expect(unknown).toBeLessThanOrEqual(1024);
    expect(unknown + flood).toBeLessThanOrEqual(sent);
    expect(done.session).toMatchObject({ state: 'Up', downTransitions: 0 });
    expect(lines.filter((line) => line.error)).toEqual([]);
  });

  test('bfd_rt_priority puts the pacer thread (bfd-pacer) under SCHED_RR at that priority; without it the thread stays a normal one at nice -10', { timeout: 60_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const r1 = await lab.addHost('r1', ['192.0.2.1/24']);
    const up = await lab.addHost('up', ['192.0.2.254/24']);
    frr = await startBfdd(up, 'bfd\n peer 192.0.2.1 local-address 192.0.2.254\n  receive-interval 50\n  transmit-interval 50\n  detect-multiplier 3\n !\n!\n');
    // /proc/PID/task/TID/stat: field 19 nice, 40 rt_priority, 41 policy (2: SCHED_RR), counted after the command name.
    const pacer = (pid: number) => {
      const tid = readdirSync(`/proc/${pid}/task`).find((task) => readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8').trim() === 'bfd-pacer');
      const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return { nice: Number(fields[16]), rtPriority: Number(fields[37]), policy: Number(fields[38]) };
    };
    const block = bfdBlock('up4', { neighbor: '192.0.2.254', source: '192.0.2.1', minTx: 50, minRx: 50, multiplier: 3 });
    for (const [global, expected] of [
      ['global_defs {\n  bfd_rt_priority 10\n}\n', { rtPriority: 10, policy: 2 }],
      ['', { rtPriority: 0, policy: 0, nice: -10 }],
    ] as const) {
      vrrpd = startVrrpdConf(r1, global + block);
      await waitFor('the session Up', async () => (await vrrpd!.status().catch(() => undefined))?.bfd?.sessions[0]?.state === 'Up', 30_000);
      expect(pacer(vrrpd.process.pid!)).toMatchObject(expected);
      const started = vrrpd.events('bfd-started')[0]!;
      if (expected.rtPriority) expect(started).toMatchObject({ pacerRtPriority: 10, msg: 'BFD: up4; its thread at nice -10; its pacer under SCHED_RR priority 10' });
      else expect(started).not.toHaveProperty('pacerRtPriority');
      await vrrpd.stop();
      vrrpd = undefined;
    }
  });
});
