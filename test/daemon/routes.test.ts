// virtual_routes / virtual_rules in HostActions: installed after the addresses on becoming
// Master, removed (rules, routes, then addresses) on leaving it; failures logged, never thrown;
// a reload's changes. Routes following mastership between hosts: test/conformance/virtual-routes.
import { describe, expect, test } from 'vitest';
import { VrrpRouters } from '../../src/daemon/vrrp/routers.js';
import type { RouterBinding } from '../../src/daemon/vrrp/binding.js';
import { HostActions } from '../../src/daemon/vrrp/host-actions.js';
import { changedSettings, planReload, summarise } from '../../src/daemon/vrrp/reload-plan.js';
import type { VirtualRouteSpec, VirtualRuleSpec } from '../../src/daemon/vrrp/ports.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { capturingLogger, FakeAddresses, FakeAnnouncer, FakeChannel, FakeRoutes } from './fakes.js';
import { bindingOf, FakePlatform, FakeSegment } from './fake-platform.js';

const VIP = { address: '192.0.2.100', prefixLength: 24, family: 'ipv4' as const, device: 'eth0' };
const ROUTES: VirtualRouteSpec[] = [
  { family: 'ipv4', destination: '0.0.0.0', prefixLength: 0, gateway: '192.0.2.254', device: 'eth0', table: 100 },
  { family: 'ipv4', destination: '198.51.100.0', prefixLength: 24, type: 'blackhole', metric: 5 },
];
const RULES: VirtualRuleSpec[] = [{ family: 'ipv4', from: { address: '192.0.2.100', prefixLength: 32 }, table: 100, priority: 100 }];

/** VI_1 with ROUTES and RULES; `extra` changes what HostActions is given. */
function binding(extra: Partial<RouterBinding> = {}): RouterBinding {
  return { ...bindingOf({ priority: 150, virtualRoutes: ROUTES, virtualRules: RULES }), ...extra };
}

function setup(extra: Partial<RouterBinding> = {}) {
  const addresses = new FakeAddresses();
  const routes = new FakeRoutes(addresses.calls);
  const { log, records } = capturingLogger();
  const actions = new HostActions(binding(extra), { channel: new FakeChannel('192.0.2.1'), addresses, announcer: new FakeAnnouncer(), routes }, log);
  return { actions, addresses, routes, records };
}

describe('HostActions', () => {
  test('routes then rules after the addresses; rules, routes, then addresses on leaving Master; one log line per kind', async () => {
    const { actions, addresses, routes, records } = setup();
    actions.perform({ type: 'add-addresses', addresses: [] }, 150);
    await actions.settled();
    expect([...routes.present]).toEqual([
      'route default via 192.0.2.254 dev eth0 table 100',
      'route blackhole 198.51.100.0/24 metric 5',
      'rule from 192.0.2.100 priority 100 table 100',
    ]);
    actions.perform({ type: 'remove-addresses', addresses: [] }, 150);
    await actions.settled();
    expect(addresses.calls).toEqual([
      'add 192.0.2.100/24 dev eth0',
      'add route default via 192.0.2.254 dev eth0 table 100',
      'add route blackhole 198.51.100.0/24 metric 5',
      'add rule from 192.0.2.100 priority 100 table 100',
      'remove rule from 192.0.2.100 priority 100 table 100',
      'remove route default via 192.0.2.254 dev eth0 table 100',
      'remove route blackhole 198.51.100.0/24 metric 5',
      'remove 192.0.2.100/24 dev eth0',
    ]);
    expect([...routes.present]).toEqual([]);
    expect(records().map((r) => r['msg'])).toEqual([
      'VI_1: added 192.0.2.100/24',
      'VI_1: added routes default via 192.0.2.254 dev eth0 table 100; blackhole 198.51.100.0/24 metric 5',
      'VI_1: added rule from 192.0.2.100 priority 100 table 100',
      'VI_1: removed rule from 192.0.2.100 priority 100 table 100',
      'VI_1: removed routes default via 192.0.2.254 dev eth0 table 100; blackhole 198.51.100.0/24 metric 5',
      'VI_1: removed 192.0.2.100/24',
    ]);
    expect(records().find((r) => r['event'] === 'routes-added')).toMatchObject({ instance: 'VI_1', routes: ['default via 192.0.2.254 dev eth0 table 100', 'blackhole 198.51.100.0/24 metric 5'] });
  });

  test('a route the kernel refuses is logged as an error; the other routes and the rules are still installed', async () => {
    const { actions, routes, records } = setup();
    routes.failures.set('route default via 192.0.2.254 dev eth0 table 100', 'add route default via 192.0.2.254 dev eth0 table 100: ENETUNREACH');
    actions.perform({ type: 'add-addresses', addresses: [] }, 150);
    await actions.settled();
    expect([...routes.present]).toEqual(['route blackhole 198.51.100.0/24 metric 5', 'rule from 192.0.2.100 priority 100 table 100']);
    expect(records().filter((r) => r['level'] === 50 || r['event'] === 'route-change-failed').map((r) => r['msg'])).toEqual([
      'VI_1: could not add routes/rules: route default via 192.0.2.254 dev eth0 table 100: add route default via 192.0.2.254 dev eth0 table 100: ENETUNREACH',
    ]);
  });

  test('an instance without routes or rules never calls the route port', async () => {
    const { actions, addresses } = setup({ routes: [], rules: [] });
    actions.perform({ type: 'add-addresses', addresses: [] }, 150);
    actions.perform({ type: 'remove-addresses', addresses: [] }, 150);
    await actions.settled();
    expect(addresses.calls).toEqual(['add 192.0.2.100/24 dev eth0', 'remove 192.0.2.100/24 dev eth0']);
  });

  test('a reload while Master removes the routes it dropped and adds the new ones, leaving the kept ones alone', async () => {
    const { actions, addresses } = setup();
    actions.perform({ type: 'add-addresses', addresses: [] }, 150);
    await actions.settled();
    addresses.calls.length = 0;
    const added: VirtualRouteSpec = { family: 'ipv4', destination: '203.0.113.0', prefixLength: 24, gateway: '192.0.2.254' };
    actions.rebind(binding({ routes: [ROUTES[0]!, added], rules: [] }), true);
    await actions.settled();
    expect(addresses.calls).toEqual([
      'remove rule from 192.0.2.100 priority 100 table 100',
      'remove route blackhole 198.51.100.0/24 metric 5',
      'add route 203.0.113.0/24 via 192.0.2.254',
    ]);
  });

  test('a reload prepares the announcement of the addresses it leaves the instance with, Master or not', () => {
    const announcer = new FakeAnnouncer();
    const { log } = capturingLogger();
    const actions = new HostActions(binding(), { channel: new FakeChannel('192.0.2.1'), addresses: new FakeAddresses(), announcer, routes: new FakeRoutes([]) }, log);
    const vip = (address: string) => ({ address, prefixLength: 32, family: 'ipv4' as const });
    actions.rebind(bindingOf({ virtualAddresses: [vip('198.51.100.7'), vip('198.51.100.8')] }), false);
    actions.rebind(bindingOf({ virtualAddresses: [vip('198.51.100.8')] }), true);
    expect(announcer.prepared).toEqual([['198.51.100.7', '198.51.100.8'], ['198.51.100.8']]);
  });
});

test('a reload that changes only routes or rules updates the instance in place (not unchanged, not restarted)', () => {
  const previous = bindingOf({ virtualRoutes: ROUTES, virtualRules: RULES });
  expect(changedSettings(previous, bindingOf({ virtualRoutes: ROUTES, virtualRules: RULES }))).toEqual([]);
  expect(changedSettings(previous, bindingOf({ virtualRoutes: [ROUTES[0]!], virtualRules: RULES }))).toEqual(['virtual_routes']);
  expect(changedSettings(previous, bindingOf({ virtualRoutes: ROUTES, virtualRules: [] }))).toEqual(['virtual_rules']);
  // Instances without the blocks compare as empty ones.
  expect(changedSettings(bindingOf(), bindingOf({ virtualRoutes: [], virtualRules: [] }))).toEqual([]);
  expect(summarise(planReload([previous], [bindingOf({ virtualRoutes: [ROUTES[0]!], virtualRules: RULES })]))).toMatchObject({ updated: [{ instance: 'VI_1', changes: ['virtual_routes'] }], restarted: [] });
});

test('a VIP someone removed is put back with the routes whose src it was (the kernel dropped those with it)', async () => {
  const withSource: VirtualRouteSpec = { family: 'ipv4', destination: '203.0.113.0', prefixLength: 24, gateway: '192.0.2.254', source: '192.0.2.100' };
  const { actions, addresses } = setup({ routes: [...ROUTES, withSource] });
  actions.perform({ type: 'add-addresses', addresses: [] }, 150);
  await actions.settled();
  addresses.calls.length = 0;
  actions.removedByOthers(VIP);
  await actions.settled();
  expect(addresses.calls).toEqual(['add 192.0.2.100/24 dev eth0', 'add route src 192.0.2.100 203.0.113.0/24 via 192.0.2.254']);
});

test('routes and rules a killed run left behind are removed at start and reported', async () => {
  const clock = new VirtualClock();
  const platform = new FakePlatform(new FakeSegment(clock), { name: 'eth0', index: 2, up: true, mac: '02:00:00:00:00:01', ipv4: '192.0.2.1' });
  platform.staleRoutes = ['route 198.51.100.0/24 table 254'];
  const { log, records } = capturingLogger();
  await new VrrpRouters({ bindings: [binding()], platform, clock, log }).start();
  expect(records()[0]).toMatchObject({ event: 'stale-routes-removed', routes: ['route 198.51.100.0/24 table 254'] });
  expect(platform.staleRoutes).toEqual([]);
});
