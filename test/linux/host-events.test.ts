// What the host does to a running vrrpd: carrier loss puts the Master in Fault and the VIP moves;
// a VIP someone deletes is put back; an address vrrpd did not add is never touched.
import { afterEach, describe, expect, test } from 'vitest';
import { holds, instanceConfig, SETTLE_MS, startVrrpd, waitFor } from '../helpers/daemons.js';
import { isRoot, NamespaceLab, sweepStaleLabs } from '../helpers/netns.js';

const VIP = '192.0.2.100';
let lab: NamespaceLab | undefined;
afterEach(async () => {
  await lab?.destroy();
  lab = undefined;
});

async function pair() {
  await sweepStaleLabs();
  lab = await NamespaceLab.create();
  const a = await lab.addHost('a', ['192.0.2.1/24']);
  const b = await lab.addHost('b', ['192.0.2.2/24']);
  const vrrpdA = startVrrpd(a, instanceConfig({ priority: 150, version: 3, vip: `${VIP}/24` }));
  startVrrpd(b, instanceConfig({ priority: 100, version: 3, vip: `${VIP}/24` }));
  await waitFor('a to hold the VIP', () => holds(a, VIP), SETTLE_MS);
  return { a, b, vrrpdA };
}

describe.skipIf(!isRoot())('host events (needs root)', () => {
  test('carrier loss on the Master: Fault, VIP withdrawn, Backup takes over; carrier back: preempts again', { timeout: 40_000 }, async () => {
    const { a, b, vrrpdA } = await pair();
    await a.setCarrier(false);
    await waitFor('a to withdraw the VIP', async () => !(await holds(a, VIP)), 2000);
    await waitFor('b to take over', () => holds(b, VIP), 6000);
    expect(vrrpdA.lines.some((line) => line.includes('"to":"Fault"'))).toBe(true);
    await a.setCarrier(true);
    await waitFor('a to preempt', () => holds(a, VIP), 8000);
    await waitFor('b to let go', async () => !(await holds(b, VIP)), 3000);
  });

  test('a VIP deleted by hand on the Master is put back and logged', { timeout: 30_000 }, async () => {
    const { a, vrrpdA } = await pair();
    await a.ip('addr', 'del', `${VIP}/24`, 'dev', 'eth0');
    await waitFor('the VIP to come back', () => holds(a, VIP), 3000);
    expect(vrrpdA.lines.some((line) => line.includes('address-restored'))).toBe(true);
  });

  test('an address vrrpd did not add survives its start and stop, even when it is the VIP', { timeout: 30_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24', `${VIP}/24`]);
    const vrrpd = startVrrpd(a, instanceConfig({ priority: 150, version: 3, vip: `${VIP}/24` }));
    await waitFor('a to become Master', async () => vrrpd.lines.some((line) => line.includes('"to":"Master"')), 6000);
    await waitFor('the refusal to be logged', async () => vrrpd.lines.some((line) => line.includes('added by someone else')), 2000);
    vrrpd.process.kill('SIGTERM');
    expect(await vrrpd.exited).toBe(0);
    expect(await holds(a, VIP)).toBe(true);
  });
});
