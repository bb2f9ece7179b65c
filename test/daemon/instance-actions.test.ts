import { setImmediate as tick } from 'node:timers/promises';
import { expect, test } from 'vitest';
import { HostActions } from '../../src/daemon/vrrp/host-actions.js';
import type { RouterBinding } from '../../src/daemon/vrrp/binding.js';
import { decodeAdvertisement } from '../../src/vrrp/packet/advertisement.js';
import { routerConfigFromSpec } from '../../src/sim/lan.js';
import { capturingLogger, FakeAddresses, FakeAnnouncer, FakeChannel, ImmediateFakeAddresses } from './fakes.js';
import { bindingOf } from './fake-platform.js';
import type { AddressPort, VirtualAddressSpec } from '../../src/daemon/vrrp/ports.js';

function setupWith(addresses: AddressPort) {
  const { actions, channel, announcer, records } = setup(undefined, undefined, addresses);
  return { actions, channel, announcer, records };
}

function setup(destinations = ['224.0.0.18'], announcer = new FakeAnnouncer(), addressPort?: AddressPort) {
  const binding: RouterBinding = {
    ...bindingOf(),
    router: routerConfigFromSpec({ name: 'VI_1', priority: 150, vrid: 51, virtualAddresses: ['192.0.2.100', '192.0.2.101'] }),
    interfaceName: 'eth0',
    destinations,
    addresses: [
      { address: '192.0.2.100', prefixLength: 24, family: 'ipv4', device: 'eth0' },
      { address: '192.0.2.101', prefixLength: 32, family: 'ipv4', device: 'eth0', label: 'eth0:vip' },
    ],
  };
  const channel = new FakeChannel('192.0.2.1');
  const addresses = new FakeAddresses();
  const { log, records } = capturingLogger();
  const actions = new HostActions(binding, { channel, addresses: addressPort ?? addresses, announcer }, log);
  return { actions, channel, addresses, announcer, records };
}

const advertisement = { version: 3 as const, vrid: 51, priority: 150, maxAdvertIntervalCs: 100, addresses: ['192.0.2.100', '192.0.2.101'] };

test('an advertisement is encoded once per destination with the channel source in the checksum', () => {
  const { actions, channel } = setup(['192.0.2.2', '192.0.2.3']);
  actions.perform({ type: 'send-advertisement', advertisement }, 150);
  expect(channel.sent.map((s) => s.destination)).toEqual(['192.0.2.2', '192.0.2.3']);
  for (const { bytes, destination } of channel.sent) {
    const decoded = decodeAdvertisement(bytes, { family: 'ipv4', source: '192.0.2.1', destination });
    expect(decoded).toMatchObject({ ok: true, advertisement, checksum: 'pseudo-header' });
  }
});

test('an advertisement encoded ahead (prepareAdvertisement, at start) is the one sent, nothing sent then; another priority is encoded anew', () => {
  const { actions, channel } = setup(['192.0.2.2', '192.0.2.3']);
  actions.prepareAdvertisement(advertisement);
  expect(channel.sent).toEqual([]);
  actions.perform({ type: 'send-advertisement', advertisement }, 150);
  actions.perform({ type: 'send-advertisement', advertisement: { ...advertisement, priority: 100 } }, 100);
  for (const [i, { bytes, destination }] of channel.sent.entries()) {
    const decoded = decodeAdvertisement(bytes, { family: 'ipv4', source: '192.0.2.1', destination });
    expect(decoded).toMatchObject({ ok: true, advertisement: { ...advertisement, priority: i < 2 ? 150 : 100 }, checksum: 'pseudo-header' });
  }
});

test('a Master sending the same advertisement again sends the bytes encoded the first time; a new priority or source is encoded anew', () => {
  const { actions, channel } = setup();
  // A new object each Adver_Interval, as the router builds it, with the same content.
  actions.perform({ type: 'send-advertisement', advertisement: { ...advertisement } }, 150);
  actions.perform({ type: 'send-advertisement', advertisement: { ...advertisement, addresses: [...advertisement.addresses] } }, 150);
  expect(channel.sent[1]!.bytes).toBe(channel.sent[0]!.bytes);
  actions.perform({ type: 'send-advertisement', advertisement: { ...advertisement, priority: 0 } }, 0);
  expect(decodeAdvertisement(channel.sent[2]!.bytes, { family: 'ipv4', source: '192.0.2.1', destination: '224.0.0.18' })).toMatchObject({ ok: true, advertisement: { priority: 0 } });
  const moved = new FakeChannel('192.0.2.9');
  actions.reattach(moved);
  actions.perform({ type: 'send-advertisement', advertisement }, 150);
  expect(moved.sent[0]!.bytes).not.toBe(channel.sent[0]!.bytes);
  expect(decodeAdvertisement(moved.sent[0]!.bytes, { family: 'ipv4', source: '192.0.2.9', destination: '224.0.0.18' })).toMatchObject({ ok: true, advertisement, checksum: 'pseudo-header' });
});

test('addresses are added and removed in order, each change logged once', async () => {
  const { actions, addresses, records } = setup();
  actions.perform({ type: 'add-addresses', addresses: [] }, 150);
  actions.perform({ type: 'remove-addresses', addresses: [] }, 150);
  await actions.settled();
  expect(addresses.calls).toEqual([
    'add 192.0.2.100/24 dev eth0',
    'add 192.0.2.101/32 dev eth0',
    'remove 192.0.2.100/24 dev eth0',
    'remove 192.0.2.101/32 dev eth0',
  ]);
  expect(records().map((r) => [r['event'], r['addresses']])).toEqual([
    ['addresses-added', ['192.0.2.100/24', '192.0.2.101/32']],
    ['addresses-removed', ['192.0.2.100/24', '192.0.2.101/32']],
  ]);
  expect([...actions.installed]).toEqual([]);
});

test('a failing address is logged as an error; the others are still installed', async () => {
  const { actions, addresses, records } = setup();
  addresses.failures.set('192.0.2.100', 'EPERM: needs CAP_NET_ADMIN');
  actions.perform({ type: 'add-addresses', addresses: [] }, 150);
  await actions.settled();
  expect([...addresses.present]).toEqual(['192.0.2.101']);
  const failure = records().find((r) => r['event'] === 'address-change-failed');
  expect(failure).toMatchObject({ level: 50, instance: 'VI_1', change: 'add', error: '192.0.2.100/24: EPERM: needs CAP_NET_ADMIN' });
});

test('a transition is one info line with the reason and the peer', () => {
  const { actions, records } = setup();
  actions.perform({ type: 'transition', from: 'Master', to: 'Backup', reason: 'higher-priority', peer: { address: '192.0.2.9', priority: 200 } }, 150);
  expect(records()).toEqual([
    expect.objectContaining({
      level: 30,
      event: 'transition',
      instance: 'VI_1',
      vrid: 51,
      from: 'Master',
      to: 'Backup',
      reason: 'higher-priority',
      peer: '192.0.2.9',
      peerPriority: 200,
      msg: 'VI_1: Master -> Backup (higher-priority) (heard 192.0.2.9 at priority 200)',
    }),
  ]);
});

test('announcements go to the announcer once the addresses are in place; a reinstalled address is logged as a warning', async () => {
  const { actions, announcer, addresses, records } = setup();
  actions.perform({ type: 'add-addresses', addresses: ['192.0.2.100'] }, 150);
  actions.perform({ type: 'announce-addresses', addresses: ['192.0.2.100'], count: 5 }, 150);
  // keepalived adds the VIP, then sends its gratuitous ARPs.
  expect(announcer.rounds).toEqual([]);
  await actions.settled();
  expect(addresses.present.has('192.0.2.100')).toBe(true);
  expect(announcer.rounds).toEqual([{ addresses: ['192.0.2.100'], count: 5 }]);
  actions.removedByOthers({ address: '192.0.2.100', prefixLength: 24, family: 'ipv4', device: 'eth0' });
  await actions.settled();
  await tick();
  expect(addresses.present.has('192.0.2.100')).toBe(true);
  expect(records().find((r) => r['event'] === 'address-restored')).toMatchObject({ level: 40, address: '192.0.2.100/24' });
});

test('becoming Master asks for the gratuitous ARPs before it logs the addresses added (the line waits behind them)', async () => {
  const loggedWhenAnnounced: unknown[] = [];
  const { actions, addresses, announcer, records } = setup(undefined, new FakeAnnouncer(() => loggedWhenAnnounced.push(...records().map((r) => r['event']))));
  actions.perform({ type: 'add-addresses', addresses: ['192.0.2.100', '192.0.2.101'] }, 150);
  actions.perform({ type: 'announce-addresses', addresses: ['192.0.2.100', '192.0.2.101'], count: 5 }, 150);
  await actions.settled();
  expect(announcer.rounds).toEqual([{ addresses: ['192.0.2.100', '192.0.2.101'], count: 5 }]);
  expect(loggedWhenAnnounced).toEqual([]);
  expect(records().map((r) => [r['event'], r['addresses']])).toEqual([['addresses-added', ['192.0.2.100/24', '192.0.2.101/32']]]);
  expect([...addresses.present]).toEqual(['192.0.2.100', '192.0.2.101']);
});

// keepalived adds a new Master's VIPs and sends its gratuitous ARPs in one function; through the
// queue's promises, vrrpd's first takeover put 0.4-2.9 ms between its advertisement and the add.
test('with nothing queued, becoming Master adds the addresses and asks for the gratuitous ARPs in the same call; the line of the addresses added comes after', async () => {
  await tick(); // a turn of its own: in-call takeovers have a budget per turn
  const addresses = new ImmediateFakeAddresses();
  const { actions, announcer, records } = setupWith(addresses);
  actions.perform({ type: 'add-addresses', addresses: ['192.0.2.100', '192.0.2.101'] }, 150);
  actions.perform({ type: 'announce-addresses', addresses: ['192.0.2.100', '192.0.2.101'], count: 5 }, 150);
  // No await: all of it happened in the two calls.
  expect(addresses.calls).toEqual(['addNow 192.0.2.100/24 dev eth0', 'addNow 192.0.2.101/32 dev eth0']);
  expect(announcer.rounds).toEqual([{ addresses: ['192.0.2.100', '192.0.2.101'], count: 5 }]);
  expect([...actions.installed]).toEqual(['192.0.2.100', '192.0.2.101']);
  expect(records()).toEqual([]);
  await actions.settled();
  await tick();
  expect(records().map((r) => [r['event'], r['addresses']])).toEqual([['addresses-added', ['192.0.2.100/24', '192.0.2.101/32']]]);
});

test('an address the host cannot settle at once goes through add(), which reports it, and the announcement waits for it', async () => {
  await tick(); // a turn of its own: in-call takeovers have a budget per turn
  const addresses = new ImmediateFakeAddresses();
  addresses.settlesAtOnce = (spec) => spec.address !== '192.0.2.101';
  addresses.failures.set('192.0.2.101', 'EEXIST: added by someone else');
  const { actions, announcer, records } = setupWith(addresses);
  actions.perform({ type: 'add-addresses', addresses: ['192.0.2.100', '192.0.2.101'] }, 150);
  actions.perform({ type: 'announce-addresses', addresses: ['192.0.2.100', '192.0.2.101'], count: 5 }, 150);
  expect(announcer.rounds).toEqual([]);
  await actions.settled();
  expect(addresses.calls).toEqual(['addNow 192.0.2.100/24 dev eth0', 'addNow 192.0.2.101/32 dev eth0', 'add 192.0.2.101/32 dev eth0']);
  expect(announcer.rounds).toEqual([{ addresses: ['192.0.2.100', '192.0.2.101'], count: 5 }]);
  expect(records().map((r) => [r['event'], r['addresses'] ?? r['error']])).toEqual([
    ['addresses-added', ['192.0.2.100/24']],
    ['address-change-failed', '192.0.2.101/32: EEXIST: added by someone else'],
  ]);
  expect([...actions.installed]).toEqual(['192.0.2.100']);
});

test('in a burst of takeovers in one turn, the first eight add and announce in the call, the others through the queue (their advertisements first); the next turn may again', async () => {
  await tick(); // a turn of its own: the budget is per turn of the event loop
  const burst = Array.from({ length: 10 }, () => {
    const addresses = new ImmediateFakeAddresses();
    return { addresses, ...setupWith(addresses) };
  });
  for (const { actions } of burst) {
    actions.perform({ type: 'add-addresses', addresses: [] }, 150);
    actions.perform({ type: 'announce-addresses', addresses: ['192.0.2.100'], count: 1 }, 150);
  }
  expect(burst.map(({ announcer }) => announcer.rounds.length)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
  for (const { actions } of burst) await actions.settled();
  expect(burst.map(({ announcer }) => announcer.rounds.length)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  expect(burst[9]!.addresses.calls).toEqual(['add 192.0.2.100/24 dev eth0', 'add 192.0.2.101/32 dev eth0']);
  await tick();
  const next = new ImmediateFakeAddresses();
  const later = setupWith(next);
  later.actions.perform({ type: 'add-addresses', addresses: [] }, 150);
  expect(next.calls).toEqual(['addNow 192.0.2.100/24 dev eth0', 'addNow 192.0.2.101/32 dev eth0']);
});

test('with a change still queued, the adds and the announcement wait their turn behind it', async () => {
  const addresses = new ImmediateFakeAddresses();
  const { actions, announcer } = setupWith(addresses);
  actions.perform({ type: 'remove-addresses', addresses: [] }, 150);
  actions.perform({ type: 'add-addresses', addresses: [] }, 150);
  actions.perform({ type: 'announce-addresses', addresses: ['192.0.2.100'], count: 1 }, 150);
  expect(addresses.calls).toEqual([]);
  expect(announcer.rounds).toEqual([]);
  await actions.settled();
  expect(addresses.calls).toEqual(['remove 192.0.2.100/24 dev eth0', 'remove 192.0.2.101/32 dev eth0', 'add 192.0.2.100/24 dev eth0', 'add 192.0.2.101/32 dev eth0']);
  expect(announcer.rounds).toHaveLength(1);
  // Once the queue is idle again, a repeated announcement (garp_master_refresh) leaves at once.
  actions.perform({ type: 'announce-addresses', addresses: ['192.0.2.100'], count: 1 }, 150);
  expect(announcer.rounds).toHaveLength(2);
});

test('a no_track address someone removed is not put back, and that is logged', async () => {
  const { actions, addresses, records } = setup();
  actions.removedByOthers({ address: '192.0.2.101', prefixLength: 24, family: 'ipv4', device: 'eth0', noTrack: true });
  await actions.settled();
  await tick();
  expect(addresses.present.has('192.0.2.101')).toBe(false);
  expect(addresses.calls).toEqual([]);
  expect(records()[0]).toMatchObject({ level: 40, event: 'address-lost', msg: 'VI_1: 192.0.2.101 was removed by someone else while Master; not put back (no_track) until the next mastership' });
});

/** An address port whose answers wait until the test gives them, as the kernel's do. */
class HeldAddresses implements AddressPort {
  readonly asked: string[] = [];
  private readonly answers: Array<() => void> = [];

  add(spec: VirtualAddressSpec): Promise<void> {
    return this.hold(spec);
  }

  remove(spec: VirtualAddressSpec): Promise<void> {
    return this.hold(spec);
  }

  /** Answers every request asked so far; the one for `refused` fails with EEXIST. */
  answerAll(): void {
    for (const answer of this.answers.splice(0)) answer();
  }

  refused?: string;

  private hold(spec: VirtualAddressSpec): Promise<void> {
    this.asked.push(spec.address);
    return new Promise((resolve, reject) => {
      this.answers.push(() => (spec.address === this.refused ? reject(new Error('add failed: EEXIST')) : resolve()));
    });
  }
}

// Issue 16: one at a time, the adds of 254 VIPs took one netlink round trip each before the
// first gratuitous ARP. All are asked at once now; the announcement still waits for every answer.
test('all of an instance\'s address adds are asked before the first answer; one refused is reported for its address alone, and the announcement waits for all', async () => {
  const vips = Array.from({ length: 254 }, (_, i) => ({ address: `198.51.100.${i + 1}`, prefixLength: 32, family: 'ipv4' as const, device: 'eth0' }));
  const binding: RouterBinding = { ...bindingOf(), router: routerConfigFromSpec({ name: 'VI_1', priority: 150, vrid: 51, virtualAddresses: vips.map((v) => v.address) }), interfaceName: 'eth0', destinations: ['224.0.0.18'], addresses: vips };
  const addresses = new HeldAddresses();
  addresses.refused = '198.51.100.77';
  const announcer = new FakeAnnouncer();
  const { log, records } = capturingLogger();
  const actions = new HostActions(binding, { channel: new FakeChannel('192.0.2.1'), addresses, announcer }, log);
  actions.perform({ type: 'add-addresses', addresses: [] }, 150);
  actions.perform({ type: 'announce-addresses', addresses: vips.map((v) => v.address), count: 5 }, 150);
  await tick();
  expect(addresses.asked).toEqual(vips.map((v) => v.address));
  expect(announcer.rounds).toEqual([]);
  addresses.answerAll();
  await actions.settled();
  expect(announcer.rounds).toHaveLength(1);
  expect(actions.installed.size).toBe(253);
  expect(actions.installed.has('198.51.100.77')).toBe(false);
  expect(records().find((r) => r['event'] === 'address-change-failed')).toMatchObject({ error: '198.51.100.77/32: add failed: EEXIST' });
  expect(records().find((r) => r['event'] === 'addresses-added')?.['addresses']).toHaveLength(253);
});

/** A channel that can arm priority-0 advertisements with the host, as the VRRP sockets can. */
class ArmingChannel extends FakeChannel {
  readonly armed = new Map<number, { bytes: Uint8Array; destination: string }>();
  arms = 0;
  armResignation(bytes: Uint8Array, destination: string): () => void {
    const id = this.arms++;
    this.armed.set(id, { bytes, destination });
    return () => this.armed.delete(id);
  }
  armedText(): string[] {
    return [...this.armed.values()].map(({ bytes, destination }) => {
      const decoded = decodeAdvertisement(bytes, { family: 'ipv4', source: this.sourceAddress, destination });
      return decoded.ok ? `v${decoded.advertisement.version} priority ${decoded.advertisement.priority} ${decoded.advertisement.addresses.join(',')} to ${destination}` : 'undecodable';
    });
  }
}

test("a Master keeps its priority-0 advertisement armed with the channel: after the turn's packets, once per destination, again only when more than its priority changes, taken back when it leaves Master or its channel", async () => {
  const channel = new ArmingChannel('192.0.2.1');
  const { log } = capturingLogger();
  const binding: RouterBinding = { ...bindingOf(), router: routerConfigFromSpec({ name: 'VI_1', priority: 150, vrid: 51, virtualAddresses: ['192.0.2.100', '192.0.2.101'] }), interfaceName: 'eth0', destinations: ['192.0.2.2', '192.0.2.3'], addresses: [] };
  const actions = new HostActions(binding, { channel, addresses: new FakeAddresses(), announcer: new FakeAnnouncer() }, log);
  const send = async (priority: number, addresses = advertisement.addresses) => {
    actions.perform({ type: 'send-advertisement', advertisement: { ...advertisement, priority, addresses } }, priority);
    await tick();
  };

  // Armed after the turn's packets have left, not between them.
  actions.perform({ type: 'send-advertisement', advertisement }, 150);
  expect(channel.armed.size).toBe(0);
  await tick();
  expect(channel.armedText()).toEqual(['v3 priority 0 192.0.2.100,192.0.2.101 to 192.0.2.2', 'v3 priority 0 192.0.2.100,192.0.2.101 to 192.0.2.3']);
  // What is armed is what the shutdown would send, byte for byte.
  actions.leftMaster();
  await send(150);
  await send(0);
  const shutdownBytes = channel.sent.slice(-2).map((sent) => Buffer.from(sent.bytes).toString('hex'));
  expect(channel.armedText()).toHaveLength(2);
  expect([...channel.armed.values()].map((armed) => Buffer.from(armed.bytes).toString('hex'))).toEqual(shutdownBytes);
  const arms = channel.arms;
  // Every Adver_Interval the same: nothing armed anew. A new priority alone: the same priority 0.
  await send(150);
  await send(120);
  expect(channel.arms).toBe(arms);
  // New addresses: a new priority-0 advertisement replaces the old.
  await send(120, ['192.0.2.100']);
  expect(channel.arms).toBe(arms + 2);
  expect(channel.armedText()).toEqual(['v3 priority 0 192.0.2.100 to 192.0.2.2', 'v3 priority 0 192.0.2.100 to 192.0.2.3']);
  // Leaving Master takes them back at once, and those still to arm are not armed.
  actions.leftMaster();
  expect(channel.armed.size).toBe(0);
  actions.perform({ type: 'send-advertisement', advertisement }, 150);
  actions.leftMaster();
  await tick();
  expect(channel.armed.size).toBe(0);
  // A new channel (the source address changed): the old one's are taken back, the new one arms its own.
  await send(150);
  const moved = new ArmingChannel('192.0.2.9');
  actions.reattach(moved);
  expect(channel.armed.size).toBe(0);
  await send(150);
  expect(moved.armedText()).toEqual(['v3 priority 0 192.0.2.100,192.0.2.101 to 192.0.2.2', 'v3 priority 0 192.0.2.100,192.0.2.101 to 192.0.2.3']);
});
