// Preemption against keepalived 2.2.7, IPv4 and IPv6 (VRRPv3): a higher-priority router started
// after the Master takes over once its Master_Down_Timer runs out (RFC 5798 §6.4.2, "Preempt_Mode
// True"); with `nopreempt` it stays Backup. Both ways round: vrrpd as the latecomer and keepalived
// as the latecomer. And a hostile unicast neighbour, not a configured peer, at priority 254
// neither displaces nor silences a unicast vrrpd Master: its adverts are dropped and counted.
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, test } from 'vitest';
import { masterDownInterval } from '../../src/vrrp/protocol/timers.js';
import { holds, instanceConfig, startKeepalived, startVrrpd, vrrpdStatus, waitFor, type RunningDaemon } from '../helpers/daemons.js';
import { linkLocal } from '../helpers/ipv6.js';
import { isRoot, NamespaceLab, sweepStaleLabs, type LabHost } from '../helpers/netns.js';

const haveKeepalived = spawnSync('keepalived', ['--version'], { stdio: 'ignore' }).status === 0;
/** Process start-up plus polling slack on a loaded 2-core machine. */
const MARGIN_MS = 2000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Family {
  readonly name: string;
  readonly vip: string;
  readonly prefix: number;
  /** Host addresses by host name. */
  readonly address: Record<'a' | 'b' | 'rogue', string>;
}

const families: Family[] = [
  { name: 'IPv4', vip: '192.0.2.100', prefix: 24, address: { a: '192.0.2.1', b: '192.0.2.2', rogue: '192.0.2.66' } },
  { name: 'IPv6', vip: '2001:db8::100', prefix: 64, address: { a: '2001:db8::1', b: '2001:db8::2', rogue: '2001:db8::66' } },
];

let lab: NamespaceLab | undefined;
afterEach(async () => {
  await lab?.destroy();
  lab = undefined;
});

async function hosts(family: Family, names: ReadonlyArray<'a' | 'b' | 'rogue'>): Promise<LabHost[]> {
  await sweepStaleLabs();
  lab = await NamespaceLab.create();
  const made: LabHost[] = [];
  for (const name of names) made.push(await lab.addHost(name, [`${family.address[name]}/${family.prefix}`]));
  // IPv6 adverts come from the link-local address: wait until the kernel has it.
  if (family.name === 'IPv6') for (const host of made) await linkLocal(host);
  return made;
}

function config(family: Family, priority: number, extra?: string): string {
  return instanceConfig({ priority, version: 3, vip: `${family.vip}/${family.prefix}`, ...(extra ? { extra } : {}) });
}

describe.skipIf(!isRoot() || !haveKeepalived)('preemption against keepalived (needs root and keepalived)', () => {
  describe.each(families)('$name', (family) => {
    const mdi = masterDownInterval(3, 150, 1000);

    test('vrrpd at 150 started after a keepalived Master at 100 takes over within its Master_Down_Interval', { timeout: 40_000 }, async () => {
      const [a, b] = (await hosts(family, ['a', 'b'])) as [LabHost, LabHost];
      startKeepalived(b, config(family, 100));
      await waitFor('keepalived to hold the VIP', () => holds(b, family.vip), 8000);
      startVrrpd(a, config(family, 150));
      const takeover = await waitFor('vrrpd to preempt', () => holds(a, family.vip), mdi + MARGIN_MS + 2000);
      expect(takeover).toBeLessThan(mdi + MARGIN_MS);
      await waitFor('keepalived to let go', async () => !(await holds(b, family.vip)), 3000);
      console.info(`${family.name}: vrrpd preempted keepalived ${takeover.toFixed(0)} ms after starting (Master_Down_Interval ${mdi} ms)`);
    });

    test('vrrpd at 150 with nopreempt leaves a keepalived Master at 100 alone', { timeout: 40_000 }, async () => {
      const [a, b] = (await hosts(family, ['a', 'b'])) as [LabHost, LabHost];
      startKeepalived(b, config(family, 100));
      await waitFor('keepalived to hold the VIP', () => holds(b, family.vip), 8000);
      const vrrpd = startVrrpd(a, config(family, 150, '  nopreempt'));
      await sleep(2 * mdi + MARGIN_MS);
      expect(await holds(b, family.vip)).toBe(true);
      expect(await holds(a, family.vip)).toBe(false);
      expect(await vrrpdStatus(vrrpd)).toEqual([expect.objectContaining({ state: 'Backup', master: { address: expect.any(String), priority: 100 } })]);
    });

    test('keepalived at 150 started after a vrrpd Master at 100 takes over; vrrpd lets go', { timeout: 40_000 }, async () => {
      const [a, b] = (await hosts(family, ['a', 'b'])) as [LabHost, LabHost];
      startVrrpd(a, config(family, 100));
      await waitFor('vrrpd to hold the VIP', () => holds(a, family.vip), 8000);
      startKeepalived(b, config(family, 150));
      await waitFor('keepalived to preempt', () => holds(b, family.vip), mdi + MARGIN_MS);
      await waitFor('vrrpd to let go', async () => !(await holds(a, family.vip)), 3000);
    });

    test('keepalived at 150 with nopreempt leaves a vrrpd Master at 100 alone', { timeout: 40_000 }, async () => {
      const [a, b] = (await hosts(family, ['a', 'b'])) as [LabHost, LabHost];
      const vrrpd = startVrrpd(a, config(family, 100));
      await waitFor('vrrpd to hold the VIP', () => holds(a, family.vip), 8000);
      startKeepalived(b, config(family, 150, '  nopreempt'));
      await sleep(2 * mdi + MARGIN_MS);
      expect(await holds(a, family.vip)).toBe(true);
      expect(await holds(b, family.vip)).toBe(false);
      expect(await vrrpdStatus(vrrpd)).toEqual([expect.objectContaining({ state: 'Master' })]);
    });
  });
});

describe.skipIf(!isRoot() || !haveKeepalived)('a hostile unicast neighbour (needs root and keepalived)', () => {
  test.each(families)('$name: priority 254 from an unconfigured source neither displaces nor silences the vrrpd Master', { timeout: 40_000 }, async (family) => {
    const [a, b, rogue] = (await hosts(family, ['a', 'b', 'rogue'])) as [LabHost, LabHost, LabHost];
    const { a: addressA, b: addressB, rogue: addressRogue } = family.address;
    const unicast = (priority: number, self: string, peers: string[]) =>
      instanceConfig({ priority, version: 3, vip: `${family.vip}/${family.prefix}`, unicastSource: self, unicastPeers: peers });
    const vrrpd: RunningDaemon = startVrrpd(a, unicast(150, addressA, [addressB]));
    startKeepalived(b, unicast(100, addressB, [addressA]));
    await waitFor('vrrpd to hold the VIP', () => holds(a, family.vip), 8000);

    const before = (await vrrpdStatus(vrrpd))[0];
    startKeepalived(rogue, unicast(254, addressRogue, [addressA, addressB]));
    await sleep(6000);
    const after = (await vrrpdStatus(vrrpd))[0];

    expect(await holds(a, family.vip)).toBe(true);
    expect(await holds(b, family.vip)).toBe(false);
    expect(after?.state).toBe('Master');
    // Still advertising (about one a second), and every rogue advert dropped and counted.
    expect((after?.statistics.advertisementsSent ?? 0) - (before?.statistics.advertisementsSent ?? 0)).toBeGreaterThanOrEqual(4);
    expect((after?.statistics.rejected['unicast-source'] ?? 0) - (before?.statistics.rejected['unicast-source'] ?? 0)).toBeGreaterThanOrEqual(3);
  });
});
