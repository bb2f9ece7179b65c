// Reload planning: matching as keepalived does, by VRID/family/interface/unicast source/mode, not
// by name, and telling in-place changes from restarts. The daemon applying plans (unchanged,
// updated, removed, added instances, rejected reloads) is in test/conformance/reload-*.
import { describe, expect, test } from 'vitest';
import type { RouterBinding } from '../../src/daemon/vrrp/binding.js';
import { describeReload } from '../../src/daemon/reload-summary.js';
import { changedSettings, instanceKey, planReload, summarise } from '../../src/daemon/vrrp/reload-plan.js';
import { VrrpRouters } from '../../src/daemon/vrrp/routers.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import type { GlobalDefs, VrrpInstanceConfig } from '../../src/config/model.js';
import { vip } from '../config/builders.js';
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

// `vrrpd run` refuses a file naming an interface this host lacks before the daemon sees it
// (test/conformance/reload-rejected); this is the daemon's own check behind that one, which a
// case cannot reach: an instance that cannot start fails the whole reload before anything changes.
test('an instance that cannot start makes the reload fail before anything changes', async () => {
  const clock = new VirtualClock();
  const platform = new FakePlatform(new FakeSegment(clock), { name: 'eth0', index: 2, up: true, mac: '02:00:00:00:00:01', ipv4: '192.0.2.1' });
  const daemon = new VrrpRouters({ bindings: [instance(150)], platform, clock, log: capturingLogger().log });
  await daemon.start();
  await advancer(clock)(5000);
  const sent = platform.sent.length;
  await expect(daemon.reload([instance(90), instance(100, { name: 'VI_9', virtualRouterId: 9, interface: 'eth9' })])).rejects.toThrow('interface eth9 does not exist');
  expect(daemon.status()[0]).toMatchObject({ basePriority: 150, effectivePriority: 150, state: 'Master' });
  expect(platform.sent.length).toBe(sent);
});
