// Reload: the plan (matching as keepalived does, by VRID/family/interface/unicast source/mode, not
// by name) and the daemon applying it on fake hosts under a virtual clock.
import { describe, expect, test } from 'vitest';
import { decodeAdvertisement } from '../../src/vrrp/packet/advertisement.js';
import { VrrpRouters } from '../../src/daemon/vrrp/routers.js';
import type { RouterBinding } from '../../src/daemon/vrrp/binding.js';
import { describeReload } from '../../src/daemon/reload-summary.js';
import { changedSettings, instanceKey, planReload, summarise } from '../../src/daemon/vrrp/reload-plan.js';
import type { GlobalDefs, VrrpInstanceConfig } from '../../src/config/model.js';
import { vip } from '../config/builders.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { capturingLogger } from './fakes.js';
import { advancer, bindingOf, FakePlatform, FakeSegment } from './fake-platform.js';

/** VI_1 (VRID 51, VIP 192.0.2.100/24 on eth0) at a priority; `extra` and `global` change its configuration. */
function instance(priority: number, extra: Partial<VrrpInstanceConfig> = {}, global: Partial<GlobalDefs> = {}): RouterBinding {
  return bindingOf({ priority, ...extra }, global);
}

const vips = (...addresses: string[]) => addresses.map((address) => vip(address, 24));

describe('planReload', () => {
  test('matches by VRID, family, interface, unicast source and mode, not by name', () => {
    const running = [instance(150), instance(100, { name: 'VI_2', virtualRouterId: 52 })];
    const next = [
      instance(150, { name: 'RENAMED' }), // same VRID 51: kept, renamed in place
      instance(100, { name: 'VI_2', virtualRouterId: 52, interface: 'eth1' }), // other interface: a new router
      instance(100, { name: 'VI_3', virtualRouterId: 53 }),
    ];
    const plan = planReload(running, next);
    expect(summarise(plan)).toEqual({
      unchanged: [],
      updated: [{ instance: 'RENAMED', changes: ['name'] }],
      restarted: [],
      removed: ['VI_2'],
      added: ['VI_2', 'VI_3'],
    });
    expect(instanceKey(next[0]!)).toBe('51|ipv4|eth0|-|multicast');
  });

  test('unicast and multicast are different routers; so are different unicast sources', () => {
    const unicast = instance(150, { unicastPeers: [{ address: '192.0.2.2' }], unicastSourceIp: '192.0.2.1' });
    expect(summarise(planReload([instance(150)], [unicast]))).toMatchObject({ removed: ['VI_1'], added: ['VI_1'] });
    const otherSource = instance(150, { unicastPeers: [{ address: '192.0.2.2' }], unicastSourceIp: '192.0.2.9' });
    expect(summarise(planReload([unicast], [otherSource]))).toMatchObject({ removed: ['VI_1'], added: ['VI_1'] });
    const morePeers = instance(150, { unicastPeers: [{ address: '192.0.2.2' }, { address: '192.0.2.3' }], unicastSourceIp: '192.0.2.1' });
    expect(summarise(planReload([unicast], [morePeers])).updated).toEqual([{ instance: 'VI_1', changes: ['unicast_peer'] }]);
  });

  test('identical instances are unchanged; in-place and restart changes are told apart', () => {
    expect(summarise(planReload([instance(150)], [instance(150)]))).toMatchObject({ unchanged: ['VI_1'], updated: [], restarted: [] });
    expect(changedSettings(instance(150), instance(120, { advertIntervalMs: 2000, preempt: false }))).toEqual(['advert_int', 'nopreempt', 'priority']);
    const twoVips = instance(150, { virtualAddresses: vips('192.0.2.100', '192.0.2.101') });
    expect(changedSettings(instance(150), twoVips)).toEqual(['virtual_ipaddress']);
    expect(summarise(planReload([instance(150)], [instance(150, { version: 2 })]))).toMatchObject({ updated: [{ instance: 'VI_1', changes: ['version'] }], restarted: [] });
    expect(summarise(planReload([instance(150)], [instance(255)])).restarted).toEqual([{ instance: 'VI_1', changes: ['priority'] }]);
    expect(summarise(planReload([instance(150)], [instance(150, {}, { mcastGroup4: '224.0.0.19' })])).restarted).toEqual([
      { instance: 'VI_1', changes: ['vrrp_mcast_group4'] },
    ]);
  });

  test('the one-line description names every instance and what changed', () => {
    const plan = planReload([instance(150), instance(100, { name: 'OLD', virtualRouterId: 60 })], [instance(120), instance(100, { name: 'NEW', virtualRouterId: 61 })]);
    expect(describeReload(summarise(plan))).toBe('updated VI_1 (priority); removed OLD; added NEW');
    expect(describeReload(summarise(planReload([], [])))).toBe('nothing to do');
  });
});

async function twoHosts(master: RouterBinding[], backup: RouterBinding[]) {
  const clock = new VirtualClock();
  const segment = new FakeSegment(clock);
  const platforms = [
    new FakePlatform(segment, { name: 'eth0', index: 2, up: true, mac: '02:00:00:00:00:01', ipv4: '192.0.2.1' }),
    new FakePlatform(segment, { name: 'eth0', index: 2, up: true, mac: '02:00:00:00:00:02', ipv4: '192.0.2.2' }),
  ];
  const logs = platforms.map(() => capturingLogger());
  const configs = [master, backup];
  const daemons = platforms.map((platform, i) => new VrrpRouters({ bindings: configs[i]!, platform, clock, log: logs[i]!.log }));
  for (const daemon of daemons) await daemon.start();
  const advance = advancer(clock);
  /** The times (virtual ms) at which host i sent advertisements, with their priority. */
  const adverts = (i: number) => platforms[i]!.sent.map((s) => decodeAdvertisement(s.bytes, { family: 'ipv4', source: '192.0.2.1', destination: s.destination }));
  await advance(5000);
  return { clock, daemons, platforms, logs, advance, adverts };
}

const state = (daemon: VrrpRouters, name = 'VI_1') => daemon.running.get(name)?.router.state;
const transitions = (records: Array<Record<string, unknown>>) => records.filter((r) => r['event'] === 'transition').map((r) => r['msg']);

describe('Daemon.reload', () => {
  test('an unchanged instance keeps its state, its advertisement rhythm and logs no transition', async () => {
    const { daemons, platforms, logs, advance, clock } = await twoHosts([instance(150)], [instance(100)]);
    expect(state(daemons[0]!)).toBe('Master');
    const sentAt: number[] = [];
    const before = platforms[0]!.sent.length;
    const send = platforms[0]!.sent.push.bind(platforms[0]!.sent);
    platforms[0]!.sent.push = (...items) => {
      sentAt.push(clock.now());
      return send(...items);
    };
    await advance(2500);
    const summary = await daemons[0]!.reload([instance(150)]);
    expect(summary).toMatchObject({ unchanged: ['VI_1'], updated: [], restarted: [], removed: [], added: [] });
    await advance(2500);
    expect(platforms[0]!.sent.length - before).toBe(sentAt.length);
    const gaps = sentAt.slice(1).map((t, i) => t - sentAt[i]!);
    expect(gaps.length).toBeGreaterThanOrEqual(4);
    for (const gap of gaps) expect(gap).toBe(1000);
    expect(transitions(logs[0]!.records())).toEqual(['VI_1: Initialize -> Backup (startup)', 'VI_1: Backup -> Master (master-down)']);
    expect(logs[0]!.records().find((r) => r['event'] === 'reloaded')).toMatchObject({ msg: 'configuration reloaded: unchanged VI_1' });
  });

  test('a lower priority on the Master moves mastership to the peer; the Master is not restarted', async () => {
    const { daemons, logs, advance } = await twoHosts([instance(150)], [instance(100)]);
    const summary = await daemons[0]!.reload([instance(90)]);
    expect(summary.updated).toEqual([{ instance: 'VI_1', changes: ['priority'] }]);
    await advance(4000);
    expect(state(daemons[1]!)).toBe('Master');
    expect(state(daemons[0]!)).toBe('Backup');
    expect(daemons[0]!.status()[0]).toMatchObject({ basePriority: 90, effectivePriority: 90 });
    // No Initialize in between: the router was updated, not restarted.
    expect(transitions(logs[0]!.records()).slice(2)).toEqual(['VI_1: Master -> Backup (higher-priority) (heard 192.0.2.2 at priority 100)']);
  });

  test('a higher priority on the Backup makes it preempt', async () => {
    const { daemons, advance } = await twoHosts([instance(150)], [instance(100)]);
    await daemons[1]!.reload([instance(200)]);
    await advance(4000);
    expect(state(daemons[1]!)).toBe('Master');
    expect(state(daemons[0]!)).toBe('Backup');
  });

  test('VIPs added and removed while Master are installed, announced and removed in place', async () => {
    const { daemons, platforms, advance, adverts } = await twoHosts([instance(150, { virtualAddresses: vips('192.0.2.100', '192.0.2.101') })], [instance(100)]);
    expect([...platforms[0]!.addresses.present].sort()).toEqual(['192.0.2.100', '192.0.2.101']);
    await daemons[0]!.reload([instance(150, { virtualAddresses: vips('192.0.2.100', '192.0.2.102') })]);
    await advance(10);
    expect([...platforms[0]!.addresses.present].sort()).toEqual(['192.0.2.100', '192.0.2.102']);
    expect(platforms[0]!.announcers.get('eth0/ipv4')!.rounds.at(-1)).toEqual({ addresses: ['192.0.2.102'], count: 5 });
    // The next advertisement (sent at once) carries the new list.
    const last = adverts(0).at(-1)!;
    expect(last.ok && last.advertisement.addresses).toEqual(['192.0.2.100', '192.0.2.102']);
    expect(state(daemons[0]!)).toBe('Master');
  });

  test('a new advert_int is taken on at once by the Master', async () => {
    const { daemons, platforms, advance, clock } = await twoHosts([instance(150)], [instance(100)]);
    await daemons[0]!.reload([instance(150, { advertIntervalMs: 500 })]);
    const from = clock.now();
    const count = platforms[0]!.sent.length;
    await advance(2000);
    expect(platforms[0]!.sent.length - count).toBeGreaterThanOrEqual(4);
    expect(clock.now() - from).toBe(2000);
    expect(state(daemons[1]!)).toBe('Backup');
  });

  test('a removed instance stops as on shutdown: priority 0, VIPs removed; the peer takes over after Skew_Time', async () => {
    const { daemons, platforms, advance, adverts, logs } = await twoHosts(
      [instance(150), instance(150, { name: 'VI_2', virtualRouterId: 52, virtualAddresses: vips('192.0.2.200') })],
      [instance(100)],
    );
    const summary = await daemons[0]!.reload([instance(150, { name: 'VI_2', virtualRouterId: 52, virtualAddresses: vips('192.0.2.200') })]);
    expect(summary).toMatchObject({ unchanged: ['VI_2'], removed: ['VI_1'] });
    // Its own reason, which notifications report as keepalived does (FAULT, or DELETED).
    expect(transitions(logs[0]!.records())).toContain('VI_1: Master -> Initialize (deleted)');
    expect(adverts(0).some((a) => a.ok && a.advertisement.vrid === 51 && a.advertisement.priority === 0)).toBe(true);
    await advance(700);
    expect([...platforms[0]!.addresses.present]).toEqual(['192.0.2.200']);
    expect(state(daemons[1]!)).toBe('Master');
    expect(daemons[0]!.running.has('VI_1')).toBe(false);
  });

  test('a new instance starts; a version change keeps the Master, which advertises in the new version at once', async () => {
    const { daemons, advance, logs, adverts } = await twoHosts([instance(150)], [instance(100, { version: 2 })]);
    const before = adverts(0).length;
    const summary = await daemons[0]!.reload([instance(150, { version: 2 }), instance(150, { name: 'VI_3', virtualRouterId: 53 })]);
    expect(summary).toMatchObject({ updated: [{ instance: 'VI_1', changes: ['version'] }], restarted: [], added: ['VI_3'] });
    expect(adverts(0).slice(before, before + 1)).toMatchObject([{ ok: true, advertisement: { vrid: 51, version: 2, priority: 150 } }]);
    await advance(4000);
    expect(state(daemons[0]!, 'VI_3')).toBe('Master');
    expect(state(daemons[0]!)).toBe('Master');
    expect(state(daemons[1]!)).toBe('Backup');
    expect(transitions(logs[0]!.records()).filter((line) => String(line).startsWith('VI_1'))).toEqual(['VI_1: Initialize -> Backup (startup)', 'VI_1: Backup -> Master (master-down)']);
  });

  test('the runtime priority override survives a reload, over the new base priority', async () => {
    const { daemons } = await twoHosts([instance(150)], [instance(100)]);
    daemons[0]!.setPriorityOverride('VI_1', 120);
    await daemons[0]!.reload([instance(160, { name: 'PRIMARY' })]);
    expect(daemons[0]!.status()[0]).toMatchObject({ name: 'PRIMARY', basePriority: 160, priorityOverride: 120, effectivePriority: 120, state: 'Master' });
  });

  test('an instance that cannot start makes the reload fail before anything changes', async () => {
    const { daemons, platforms } = await twoHosts([instance(150)], [instance(100)]);
    const sent = platforms[0]!.sent.length;
    await expect(daemons[0]!.reload([instance(90), instance(100, { name: 'VI_9', virtualRouterId: 9, interface: 'eth9' })])).rejects.toThrow(
      'interface eth9 does not exist',
    );
    expect(daemons[0]!.status()[0]).toMatchObject({ basePriority: 150, effectivePriority: 150, state: 'Master' });
    expect(platforms[0]!.sent.length).toBe(sent);
  });
});
