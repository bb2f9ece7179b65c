// vrrpd's BFD against keepalived 2.2.7's own BFD process, in namespaces: the session comes Up,
// keepalived computes the Detection Time vrrpd's timers call for, new timers on either side go
// through a Poll Sequence without the session going down, and each end goes Down with the
// diagnostic the other's departure calls for (read from keepalived's log lines).
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, test } from 'vitest';
import { bfdBlock, startKeepalivedBfd as startKeepalived, startVrrpdConf, type LabKeepalived, type LabVrrpd } from '../helpers/bfd-lab.js';
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

function startKeepalivedBfd(host: LabHost, text: string): LabKeepalived {
  const daemon = startKeepalived(host, text);
  cleanups.push(() => daemon.stop());
  return daemon;
}

describe.skipIf(!isRoot() || !haveKeepalived)('vrrpd and keepalived BFD (needs root and keepalived)', () => {
  test('the session comes Up, keepalived derives its Detection Time from vrrpd\'s timers, timer changes on either side keep it Up, and each end sees the other leave', { timeout: 120_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const r1 = await lab.addHost('r1', ['192.0.2.1/24']);
    const k = await lab.addHost('k', ['192.0.2.2/24']);
    const configFor = (minTx: number, minRx: number) => `bfd_instance to_vrrpd {\n  neighbor_ip 192.0.2.1\n  source_ip 192.0.2.2\n  min_rx ${minRx}\n  min_tx ${minTx}\n  multiplier 4\n}\n`;
    const keepalived = startKeepalivedBfd(k, configFor(100, 200));
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

    // vrrpd reloads with min_tx 250: its Poll Sequence; keepalived recomputes on the Poll and
    // answers with the Final: it now waits 3 × max(its min_rx 200, vrrpd's 250) = 750 ms.
    let mark = keepalived.lines.length;
    ours.reload(bfdBlock('to_keepalived', { neighbor: '192.0.2.2', source: '192.0.2.1', minTx: 250, minRx: 300, multiplier: 3 }));
    await waitFor('keepalived to follow vrrpd\'s new timers', async () => keepalived.lines.slice(mark).some((line) => line.includes('Detection time is 750000 us')), 10_000);
    await waitFor('vrrpd\'s Poll Sequence to end', async () => !(await ours.session('to_keepalived')).polling, 5000);
    expect(await ours.session('to_keepalived')).toMatchObject({ state: 'Up', upTransitions: 1, downTransitions: 0, desiredMinTxInterval: 250_000, timers: { transmitInterval: 250_000, detectionTime: 1_200_000 } });

    // keepalived reloads with min_tx 400 and min_rx 250 (it keeps the session and polls, as
    // bfd_complete_init does when the timers changed): vrrpd now waits 4 × 400 ms.
    mark = keepalived.lines.length;
    keepalived.reload(configFor(400, 250));
    await waitFor('vrrpd to follow keepalived\'s new timers', async () => (await ours.session('to_keepalived')).timers.detectionTime === 1_600_000, 10_000);
    expect(await ours.session('to_keepalived')).toMatchObject({
      state: 'Up',
      upTransitions: 1,
      downTransitions: 0,
      remote: { desiredMinTxInterval: 400_000, requiredMinRxInterval: 250_000, detectMult: 4 },
      timers: { transmitInterval: 250_000, detectionTime: 1_600_000 },
    });
    expect(keepalived.lines.slice(mark).filter((line) => line.includes('(to_vrrpd) Entering'))).toEqual([]);

    // vrrpd stops: AdminDown, keepalived enters Down with "Neighbor Signaled Session Down".
    mark = keepalived.lines.length;
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
