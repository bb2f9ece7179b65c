// The daemon's wiring on fake hosts sharing an in-memory segment under a virtual clock: election,
// link-down Fault, a VIP put back after someone deletes it, rejections logged, graceful stop.
import { describe, expect, test } from 'vitest';
import { VrrpRouters } from '../../src/daemon/vrrp/routers.js';
import type { VrrpInstanceConfig } from '../../src/config/model.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { capturingLogger } from './fakes.js';
import { advancer, FakePlatform, FakeSegment, vipInstance } from './fake-platform.js';

async function twoHosts(r2Extra: Partial<VrrpInstanceConfig> = {}, r1Extra: Partial<VrrpInstanceConfig> = {}) {
  const clock = new VirtualClock();
  const segment = new FakeSegment(clock);
  const hosts = [
    { platform: new FakePlatform(segment, { name: 'eth0', index: 2, up: true, mac: '02:00:00:00:00:01', ipv4: '192.0.2.1' }), priority: 150, extra: r1Extra },
    { platform: new FakePlatform(segment, { name: 'eth0', index: 2, up: true, mac: '02:00:00:00:00:02', ipv4: '192.0.2.2' }), priority: 100, extra: r2Extra },
  ];
  const logs = hosts.map(() => capturingLogger());
  const daemons = hosts.map(
    (host, i) => new VrrpRouters({ bindings: [vipInstance(host.priority, host.extra)], platform: host.platform, clock, log: logs[i]!.log }),
  );
  for (const daemon of daemons) await daemon.start();
  const advance = advancer(clock);
  return { clock, daemons, platforms: hosts.map((h) => h.platform), logs, advance };
}

describe('Daemon', () => {
  test('elects the higher priority, installs and announces its VIP', async () => {
    const { platforms, daemons, advance, logs } = await twoHosts();
    await advance(4000);
    expect(daemons[0]!.running.get('VI_1')!.router.state).toBe('Master');
    expect(daemons[1]!.running.get('VI_1')!.router.state).toBe('Backup');
    expect([...platforms[0]!.addresses.present]).toEqual(['192.0.2.100']);
    expect([...platforms[1]!.addresses.present]).toEqual([]);
    expect(platforms[0]!.announcers.get('eth0/ipv4')!.rounds[0]).toEqual({ addresses: ['192.0.2.100'], count: 5 });
    expect(logs[0]!.records().filter((r) => r['event'] === 'transition').map((r) => r['msg'])).toEqual([
      'VI_1: Initialize -> Backup (startup)',
      'VI_1: Backup -> Master (master-down)',
    ]);
  });

  test('carrier loss on the Master is a Fault; the Backup takes over within Master_Down_Interval', async () => {
    const { platforms, daemons, advance } = await twoHosts();
    await advance(5000);
    platforms[0]!.emit({ type: 'link', interfaceName: 'eth0', up: false });
    expect(daemons[0]!.running.get('VI_1')!.router.state).toBe('Fault');
    await advance(3700);
    expect(daemons[1]!.running.get('VI_1')!.router.state).toBe('Master');
    expect([...platforms[1]!.addresses.present]).toEqual(['192.0.2.100']);
    expect([...platforms[0]!.addresses.present]).toEqual([]);
  });

  test('a VIP deleted by someone else while Master is put back and logged', async () => {
    const { platforms, advance, logs } = await twoHosts();
    await advance(4000);
    platforms[0]!.emit({ type: 'address-removed', interfaceName: 'eth0', address: '192.0.2.100', prefixLength: 24 });
    await advance(10);
    expect([...platforms[0]!.addresses.present]).toEqual(['192.0.2.100']);
    expect(logs[0]!.records().some((r) => r['event'] === 'address-restored')).toBe(true);
  });

  test('advertisements with a wrong password are rejected, summarised, and change nothing', async () => {
    const { daemons, advance, logs } = await twoHosts(
      { version: 2, priority: 254, authentication: { type: 'PASS', password: 'wrong' } },
      { version: 2, authentication: { type: 'PASS', password: 'secret12' } },
    );
    await advance(8000);
    // r2 at priority 254 with the wrong password can neither displace nor silence r1.
    expect(daemons[0]!.running.get('VI_1')!.router.state).toBe('Master');
    expect(daemons[0]!.running.get('VI_1')!.router.statistics.rejected['auth-failure']).toBeGreaterThan(3);
    const rejected = logs[0]!.records().filter((r) => r['event'] === 'packets-rejected');
    expect(rejected).toEqual([expect.objectContaining({ scope: 'VI_1', reason: 'auth-failure', count: 1, detail: 'wrong password from 192.0.2.2' })]);
  });

  test('stop: the Master sends priority 0 and removes its VIP; the Backup takes over after Skew_Time', async () => {
    const { platforms, daemons, advance } = await twoHosts();
    await advance(5000);
    const stopped = daemons[0]!.stop();
    await advance(10);
    await stopped;
    expect([...platforms[0]!.addresses.present]).toEqual([]);
    await advance(620); // Skew_Time for priority 100 is 609.375 ms
    expect(daemons[1]!.running.get('VI_1')!.router.state).toBe('Master');
  });

  test('stale addresses from a killed run are removed first and reported', async () => {
    const clock = new VirtualClock();
    const platform = new FakePlatform(new FakeSegment(clock), { name: 'eth0', index: 2, up: true, mac: '02:00:00:00:00:01', ipv4: '192.0.2.1' });
    platform.staleAddresses = ['192.0.2.100/24 dev eth0'];
    const { log, records } = capturingLogger();
    await new VrrpRouters({ bindings: [vipInstance(150)], platform, clock, log }).start();
    expect(records()[0]).toMatchObject({ event: 'stale-addresses-removed', addresses: ['192.0.2.100/24 dev eth0'] });
  });

});

describe('runtime priority override', () => {
  test('lowering the Master below the Backup moves mastership; reset moves it back', async () => {
    const { daemons, platforms, advance, logs } = await twoHosts();
    await advance(5000);
    const status = daemons[0]!.setPriorityOverride('VI_1', 90);
    expect(status).toMatchObject({ name: 'VI_1', basePriority: 150, priorityOverride: 90, effectivePriority: 90, state: 'Master' });
    await advance(4000);
    expect(daemons[1]!.running.get('VI_1')!.router.state).toBe('Master');
    expect([...platforms[1]!.addresses.present]).toEqual(['192.0.2.100']);
    expect(logs[0]!.records().find((r) => r['event'] === 'priority-override')).toMatchObject({ instance: 'VI_1', override: 90, effectivePriority: 90 });

    expect(daemons[0]!.setPriorityOverride('VI_1', undefined)).toMatchObject({ priorityOverride: null, effectivePriority: 150 });
    await advance(4000);
    expect(daemons[0]!.running.get('VI_1')!.router.state).toBe('Master');
    expect(daemons[1]!.running.get('VI_1')!.router.state).toBe('Backup');
  });

  test('refusals: unknown instance, out of range, address owner', async () => {
    const { daemons } = await twoHosts();
    expect(() => daemons[0]!.setPriorityOverride('VI_9', 50)).toThrow('no instance "VI_9"; running: VI_1');
    expect(() => daemons[0]!.setPriorityOverride('VI_1', 255)).toThrow('priority 255 is out of range: an override must be 1..254');
    const { daemons: owners } = await twoHosts({}, { priority: 255 });
    expect(() => owners[0]!.setPriorityOverride('VI_1', 100)).toThrow('VI_1 is the address owner (priority 255); its priority cannot be overridden');
  });

  test('status reports state, priorities, the Master heard and the VIPs', async () => {
    const { daemons, advance } = await twoHosts();
    await advance(5000);
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
});
