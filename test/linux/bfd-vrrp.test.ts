// track_bfd on real links: a Master follows a BFD session to its upstream router (FRR's bfdd);
// cutting the upstream (nftables dropping its BFD packets, or its link going down) puts the Master
// in Fault and moves the VIP to the Backup, without waiting for Master_Down_Interval. keepalived
// 2.2.7 runs the same keepalived.conf beside it, on the same LAN and the same upstream, for
// comparison. With a weight instead of Fault, the Master's priority drops below the Backup's while
// the session is down and the VIP comes back when it heals. How fast each moves is measured in
// bench/bfd.ts, not asserted here.
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, test } from 'vitest';
import { bfdBlock, startKeepalivedBfd, startVrrpdConf, type LabKeepalived, type LabVrrpd } from '../helpers/bfd-lab.js';
import { holds, instanceConfig, waitFor } from '../helpers/daemons.js';
import { haveFrrBfdd, startBfdd } from '../helpers/frr.js';
import { isRoot, NamespaceLab, sweepStaleLabs, type LabHost } from '../helpers/netns.js';

const haveKeepalived = spawnSync('keepalived', ['--version'], { stdio: 'ignore' }).status === 0;
let lab: NamespaceLab | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  await lab?.destroy();
  lab = undefined;
});

const UPSTREAM = '192.0.2.254';
const TIMERS = '  receive-interval 100\n  transmit-interval 100\n  detect-multiplier 5\n';

/** keepalived with VRRP and BFD, logging to the console; stopped after the test. */
function startKeepalived(host: LabHost, text: string): LabKeepalived {
  const daemon = startKeepalivedBfd(host, text);
  cleanups.push(() => daemon.stop());
  return daemon;
}

/** Drops the upstream's BFD packets on their way into `host`. */
async function cutBfdFromUpstream(host: LabHost): Promise<void> {
  const nft = (...args: string[]) => host.exec('nft', args);
  await nft('add', 'table', 'inet', 'cut');
  await nft('add', 'chain', 'inet', 'cut', 'in', '{ type filter hook input priority 0; }');
  await nft('add', 'rule', 'inet', 'cut', 'in', 'ip', 'saddr', UPSTREAM, 'udp', 'dport', '3784', 'drop');
}

/**
 * The lab: vrrpd on v1 (Master, 150, tracking the upstream with `trackEntry`) and v2 (Backup, 100),
 * VRID 51, VIP .100; keepalived on k1 and k2 with the same keepalived.conf, VRID 52, VIP .101; FRR's
 * bfdd on the upstream with a session to each Master. Resolves once both Masters hold their VIPs.
 */
async function masterTrackingUpstream(trackEntry: string): Promise<{ v1: LabHost; v2: LabHost; k1: LabHost; k2: LabHost; up: LabHost; master: LabVrrpd; kaMaster: LabKeepalived }> {
  await sweepStaleLabs();
  lab = await NamespaceLab.create();
  const v1 = await lab.addHost('v1', ['192.0.2.1/24']);
  const v2 = await lab.addHost('v2', ['192.0.2.2/24']);
  const k1 = await lab.addHost('k1', ['192.0.2.3/24']);
  const k2 = await lab.addHost('k2', ['192.0.2.4/24']);
  const up = await lab.addHost('up', [`${UPSTREAM}/24`]);
  const frr = await startBfdd(up, `bfd\n peer 192.0.2.1 local-address ${UPSTREAM}\n${TIMERS} !\n peer 192.0.2.3 local-address ${UPSTREAM}\n${TIMERS} !\n!\n`);
  cleanups.push(() => frr.stop());
  const track = `  track_bfd {\n    ${trackEntry}\n  }`;
  const block = (source: string) => bfdBlock('upstream', { neighbor: UPSTREAM, source, minTx: 100, minRx: 100, multiplier: 5 });
  const master = startVrrpdConf(v1, block('192.0.2.1') + instanceConfig({ priority: 150, version: 3, vip: '192.0.2.100/24', extra: track }));
  const backup = startVrrpdConf(v2, instanceConfig({ priority: 100, version: 3, vip: '192.0.2.100/24' }));
  cleanups.push(() => master.stop(), () => backup.stop());
  const kaMaster = startKeepalived(k1, block('192.0.2.3') + instanceConfig({ priority: 150, version: 3, vrid: 52, vip: '192.0.2.101/24', extra: track }));
  startKeepalived(k2, instanceConfig({ priority: 100, version: 3, vrid: 52, vip: '192.0.2.101/24' }));
  await waitFor('both Masters to hold their VIPs once BFD is Up', async () => (await holds(v1, '192.0.2.100')) && (await holds(k1, '192.0.2.101')), 30_000);
  return { v1, v2, k1, k2, up, master, kaMaster };
}

describe.skipIf(!isRoot() || !haveKeepalived || !haveFrrBfdd())('track_bfd to an upstream router (needs root, keepalived and frr)', () => {
  test.each(['nftables drops the upstream\'s BFD', 'the upstream\'s link goes down'] as const)(
    '%s: the Master goes to Fault and the Backup takes the VIP, for vrrpd and for keepalived',
    { timeout: 120_000 },
    async (cut) => {
      // Weight 0: the session down puts the Master in Fault.
      const { v1, v2, k1, k2, up, master, kaMaster } = await masterTrackingUpstream('upstream');
      expect(await holds(v2, '192.0.2.100')).toBe(false);
      expect(await holds(k2, '192.0.2.101')).toBe(false);

      if (cut === 'nftables drops the upstream\'s BFD') {
        await Promise.all([cutBfdFromUpstream(v1), cutBfdFromUpstream(k1)]);
      } else {
        await up.setCarrier(false);
      }
      await waitFor('both Backups to take the VIPs', async () => (await holds(v2, '192.0.2.100')) && (await holds(k2, '192.0.2.101')), 10_000);
      expect(await holds(v1, '192.0.2.100')).toBe(false);
      expect(await holds(k1, '192.0.2.101')).toBe(false);
      const status = await master.status();
      expect(status.instances[0]).toMatchObject({ state: 'Fault', faultReasons: ['tracking: bfd upstream failed'] });
      expect(status.bfd!.sessions[0]).toMatchObject({ state: 'Down', lastDown: { diag: 1, reason: 'Control Detection Time Expired' } });
      expect(master.events('transition').map((t) => `${t['from']}->${t['to']}`).at(-1)).toBe('Master->Fault');
      expect(kaMaster.lines.some((line) => line.includes('Tracked BFD instance upstream is DOWN'))).toBe(true);
    },
  );

  test('track_bfd with a weight: the Master\'s priority drops below the Backup\'s while the session is down and comes back when it heals, for vrrpd and for keepalived', { timeout: 120_000 }, async () => {
    // keepalived's arithmetic: a negative weight is subtracted while the session is down, 150 - 60 = 90 < 100.
    const { v1, v2, k1, k2, master, kaMaster } = await masterTrackingUpstream('upstream weight -60');
    expect((await master.status()).instances[0]).toMatchObject({ state: 'Master', effectivePriority: 150 });

    await Promise.all([cutBfdFromUpstream(v1), cutBfdFromUpstream(k1)]);
    await waitFor('both Backups to take the VIPs', async () => (await holds(v2, '192.0.2.100')) && (await holds(k2, '192.0.2.101')), 10_000);
    expect((await master.status()).instances[0]).toMatchObject({ state: 'Backup', effectivePriority: 90 });
    expect(kaMaster.lines.some((line) => line.includes('Tracked BFD instance upstream is DOWN'))).toBe(true);

    // The path heals: the session comes back Up, 150 again, and each Master preempts.
    const mark = kaMaster.lines.length;
    await Promise.all([v1.exec('nft', ['delete', 'table', 'inet', 'cut']), k1.exec('nft', ['delete', 'table', 'inet', 'cut'])]);
    await waitFor('both Masters to take their VIPs back', async () => (await holds(v1, '192.0.2.100')) && (await holds(k1, '192.0.2.101')), 20_000);
    expect((await master.status()).instances[0]).toMatchObject({ state: 'Master', effectivePriority: 150 });
    expect(master.events('transition').map((t) => `${t['from']}->${t['to']}`).slice(-2)).toEqual(['Master->Backup', 'Backup->Master']);
    expect(kaMaster.lines.slice(mark).some((line) => line.includes('Tracked BFD instance upstream is UP'))).toBe(true);
  });
});
