// The address advertisements come from (the interface's primary IPv4 address, or its IPv6
// link-local one) can be missing at start or go away later; as keepalived, the instance is then in
// Fault until the interface has one again, and a new primary IPv4 address replaces a removed one.
import { expect, test } from 'vitest';
import { VrrpRouters } from '../../src/daemon/vrrp/routers.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import type { InterfaceState } from '../../src/daemon/vrrp/ports.js';
import { capturingLogger } from './fakes.js';
import { advancer, FakePlatform, FakeSegment, vipInstance } from './fake-platform.js';

const ETH0: InterfaceState = { name: 'eth0', index: 2, up: true, mac: '02:00:00:00:00:01' };

/** An IPv6 instance with VIP 2001:db8::100 on eth0. */
function ipv6Instance(name: string, vrid: number, priority: number) {
  const vip = { address: '2001:db8::100', prefixLength: 64, family: 'ipv6' as const, device: 'eth0' };
  return { ...vipInstance(priority, { name, virtualRouterId: vrid, family: 'ipv6', version: 3, virtualAddresses: [{ address: vip.address, prefixLength: 64, family: 'ipv6' }] }), destinations: ['ff02::12'], addresses: [vip] };
}

async function oneHost(state: InterfaceState, instance = vipInstance(150)) {
  const clock = new VirtualClock();
  const platform = new FakePlatform(new FakeSegment(clock), state);
  const { log, records } = capturingLogger();
  const daemon = new VrrpRouters({ bindings: [instance], platform, clock, log });
  await daemon.start();
  const transitions = () => records().filter((r) => r['event'] === 'transition').map((r) => r['msg']);
  return { daemon, platform, records, transitions, advance: advancer(clock), status: () => daemon.status()[0]! };
}

/** The source address of each advertisement the host sent, in order. */
function advertSources(platform: FakePlatform): string[] {
  return platform.sent.map(({ source }) => source);
}

test('an interface with no address to send from: Fault with the reason, nothing sent, until an address comes', async () => {
  const { platform, transitions, advance, status } = await oneHost(ETH0);
  await advance(5000);
  expect(status()).toMatchObject({ state: 'Fault', faultReasons: ['interface eth0 has no IPv4 address to send advertisements from'] });
  expect(platform.sent).toEqual([]);
  expect([...platform.addresses.present]).toEqual([]);

  platform.state = { ...ETH0, ipv4: '192.0.2.1' };
  platform.emit({ type: 'address-added', interfaceName: 'eth0', address: '192.0.2.1', prefixLength: 24 });
  await advance(4000);
  expect(status()).toMatchObject({ state: 'Master', faultReasons: [] });
  expect([...platform.addresses.present]).toEqual(['192.0.2.100']);
  expect(new Set(advertSources(platform))).toEqual(new Set(['192.0.2.1']));
  expect(transitions()).toEqual([
    'VI_1: Initialize -> Fault (fault: interface eth0 has no IPv4 address to send advertisements from)',
    'VI_1: Fault -> Backup (fault-cleared: eth0 has 192.0.2.1 to send advertisements from)',
    'VI_1: Backup -> Master (master-down)',
  ]);
});

test('the source address removed from a Master: Fault, VIP removed; put back: the instance runs again', async () => {
  const { platform, transitions, advance, status } = await oneHost({ ...ETH0, ipv4: '192.0.2.1' });
  await advance(4000);
  expect(status().state).toBe('Master');

  platform.state = ETH0;
  platform.emit({ type: 'address-removed', interfaceName: 'eth0', address: '192.0.2.1', prefixLength: 24 });
  await advance(10);
  expect(status()).toMatchObject({ state: 'Fault', faultReasons: ['interface eth0 has no IPv4 address to send advertisements from'] });
  expect([...platform.addresses.present]).toEqual([]);
  const sentInFault = platform.sent.length;
  await advance(3000);
  expect(platform.sent.length).toBe(sentInFault);

  platform.state = { ...ETH0, ipv4: '192.0.2.1' };
  platform.emit({ type: 'address-added', interfaceName: 'eth0', address: '192.0.2.1', prefixLength: 24 });
  await advance(4000);
  expect(status().state).toBe('Master');
  expect(transitions().slice(2)).toEqual([
    'VI_1: Master -> Fault (fault: interface eth0 has no IPv4 address to send advertisements from)',
    'VI_1: Fault -> Backup (fault-cleared: eth0 has 192.0.2.1 to send advertisements from)',
    'VI_1: Backup -> Master (master-down)',
  ]);
});

test('a new primary IPv4 address replaces a removed one without a Fault; the change is logged', async () => {
  const { platform, records, transitions, advance, status } = await oneHost({ ...ETH0, ipv4: '192.0.2.1' });
  await advance(4000);
  // The kernel promotes a secondary address when the primary goes.
  platform.state = { ...ETH0, ipv4: '192.0.2.7' };
  const before = platform.sent.length;
  platform.emit({ type: 'address-removed', interfaceName: 'eth0', address: '192.0.2.1', prefixLength: 24 });
  await advance(3000);
  expect(status()).toMatchObject({ state: 'Master', faultReasons: [] });
  expect(new Set(advertSources(platform).slice(before))).toEqual(new Set(['192.0.2.7']));
  expect(transitions()).toEqual(['VI_1: Initialize -> Backup (startup)', 'VI_1: Backup -> Master (master-down)']);
  expect(records().find((r) => r['event'] === 'source-address-changed')).toMatchObject({
    msg: 'VI_1: advertisements now come from 192.0.2.7 (192.0.2.1 was removed from eth0)',
  });
});

test('address events that do not concern the source change nothing', async () => {
  const { platform, advance, status, records } = await oneHost({ ...ETH0, ipv4: '192.0.2.1' });
  await advance(4000);
  platform.emit({ type: 'address-added', interfaceName: 'eth0', address: '192.0.2.9', prefixLength: 24 });
  platform.emit({ type: 'address-removed', interfaceName: 'eth0', address: '192.0.2.9', prefixLength: 24 });
  platform.emit({ type: 'address-removed', interfaceName: 'eth0', address: 'fe80::1', prefixLength: 64 });
  await advance(3000);
  expect(status()).toMatchObject({ state: 'Master', faultReasons: [] });
  expect(records().filter((r) => String(r['event']).startsWith('source-address'))).toEqual([]);
});

test('an IPv6 instance waits for its link-local address, as after a link comes back', async () => {
  const { platform, advance, status } = await oneHost({ ...ETH0, ipv4: '192.0.2.1' }, ipv6Instance('VI_1', 51, 150));
  await advance(4000);
  expect(status()).toMatchObject({ state: 'Fault', faultReasons: ['interface eth0 has no IPv6 link-local address to send advertisements from'] });
  // An IPv4 address is no use to it.
  platform.emit({ type: 'address-added', interfaceName: 'eth0', address: '192.0.2.9', prefixLength: 24 });
  await advance(100);
  expect(status().state).toBe('Fault');
  platform.state = { ...platform.state, ipv6LinkLocal: 'fe80::1' };
  platform.emit({ type: 'address-added', interfaceName: 'eth0', address: 'fe80::1', prefixLength: 64 });
  await advance(4000);
  expect(status().state).toBe('Master');
  expect(new Set(advertSources(platform))).toEqual(new Set(['fe80::1']));
});

test('a reload may add an instance whose interface has no address yet: it waits in Fault', async () => {
  const { daemon, advance } = await oneHost({ ...ETH0, ipv4: '192.0.2.1' });
  await daemon.reload([vipInstance(150), ipv6Instance('VI_6', 52, 100)]);
  await advance(4000);
  expect(daemon.status().map((s) => [s.name, s.state])).toEqual([
    ['VI_1', 'Master'],
    ['VI_6', 'Fault'],
  ]);
});
