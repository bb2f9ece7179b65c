// The daemon's wiring on fake hosts under a virtual clock, for what a conformance case
// (test/conformance) cannot show: addresses a killed run left behind (the fake host is told of
// them; no trace input creates them), and the control protocol's status answer, field by field.
import { expect, test } from 'vitest';
import { VrrpRouters } from '../../src/daemon/vrrp/routers.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { capturingLogger } from './fakes.js';
import { advancer, FakePlatform, FakeSegment, vipInstance } from './fake-platform.js';

test('stale addresses from a killed run are removed first and reported', async () => {
  const clock = new VirtualClock();
  const platform = new FakePlatform(new FakeSegment(clock), { name: 'eth0', index: 2, up: true, mac: '02:00:00:00:00:01', ipv4: '192.0.2.1' });
  platform.staleAddresses = ['192.0.2.100/24 dev eth0'];
  const { log, records } = capturingLogger();
  await new VrrpRouters({ bindings: [vipInstance(150)], platform, clock, log }).start();
  expect(records()[0]).toMatchObject({ event: 'stale-addresses-removed', addresses: ['192.0.2.100/24 dev eth0'] });
});

test('status reports state, priorities, the Master heard and the VIPs', async () => {
  const clock = new VirtualClock();
  const segment = new FakeSegment(clock);
  const daemons = [150, 100].map(
    (priority, i) =>
      new VrrpRouters({
        bindings: [vipInstance(priority)],
        platform: new FakePlatform(segment, { name: 'eth0', index: 2, up: true, mac: `02:00:00:00:00:0${i + 1}`, ipv4: `192.0.2.${i + 1}` }),
        clock,
        log: capturingLogger().log,
      }),
  );
  for (const daemon of daemons) await daemon.start();
  await advancer(clock)(5000);
  const [backup] = daemons[1]!.status();
  expect(backup).toMatchObject({
    name: 'VI_1',
    vrid: 51,
    version: 3,
    family: 'ipv4',
    interface: 'eth0',
    state: 'Backup',
    lastTransitionReason: 'startup',
    basePriority: 100,
    priorityOverride: null,
    effectivePriority: 100,
    master: { address: '192.0.2.1', priority: 150 },
    advertIntervalMs: 1000,
    masterDownIntervalMs: 3609.375,
    virtualAddresses: ['192.0.2.100/24'],
  });
  expect(backup!.statistics.advertisementsReceived).toBeGreaterThan(0);
});

test("a Master's priority-0 advertisement is armed with its channel while it is Master, and only then", async () => {
  const clock = new VirtualClock();
  const segment = new FakeSegment(clock);
  const host = (i: number) => new FakePlatform(segment, { name: 'eth0', index: 2, up: true, mac: `02:00:00:00:00:0${i}`, ipv4: `192.0.2.${i}` });
  const [first, second] = [host(1), host(2)];
  const master = new VrrpRouters({ bindings: [vipInstance(150)], platform: first, clock, log: capturingLogger().log });
  await master.start();
  await advancer(clock)(5000);
  expect([...first.armedResignations.values()].map((armed) => armed.destination)).toEqual(['224.0.0.18']);
  // A higher priority preempts it: Backup, nothing armed; the other one has armed its own.
  const higher = new VrrpRouters({ bindings: [vipInstance(200)], platform: second, clock, log: capturingLogger().log });
  await higher.start();
  await advancer(clock)(5000);
  expect(master.status()[0]?.state).toBe('Backup');
  expect(first.armedResignations.size).toBe(0);
  expect(second.armedResignations.size).toBe(1);
  // Stopped without a signal, it takes its own back (and sends priority 0 itself).
  await higher.stop();
  expect(second.armedResignations.size).toBe(0);
  expect(second.sent.at(-1)?.bytes[2]).toBe(0);
});
