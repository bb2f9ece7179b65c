// Hosts on an in-memory segment for daemon tests: each FakePlatform is one host; channels deliver
// to every other host's channels on the same interface name, after the virtual clock ticks.
import { setImmediate as tick } from 'node:timers/promises';
import type { AddressFamily } from '../../src/core/address.js';
import { routerBindings, type RouterBinding } from '../../src/daemon/vrrp/binding.js';
import { DEFAULTS } from '../../src/config/defaults.js';
import type { GlobalDefs, VrrpInstanceConfig } from '../../src/config/model.js';
import { config, instance } from '../config/builders.js';
import type { VirtualClock } from '../../src/core/virtual-clock.js';
import type {
  AnnouncePort,
  ChannelOptions,
  HostEvent,
  InterfaceState,
  OpenChannel,
  Platform,
  ReceivedPacket,
} from '../../src/daemon/vrrp/ports.js';
import { FakeAddresses, FakeAnnouncer, FakeRoutes } from './fakes.js';

export class FakeSegment {
  readonly hosts: FakePlatform[] = [];
  constructor(readonly clock: VirtualClock) {}

  deliver(from: FakePlatform, options: ChannelOptions, bytes: Uint8Array, source: string, destination: string): void {
    for (const host of this.hosts) {
      if (host === from || !host.linkUp) continue;
      for (const listener of host.listeners) {
        if (listener.options.family !== options.family) continue;
        const multicast = listener.options.groups.includes(destination);
        if (!multicast && destination !== host.state.ipv4 && destination !== host.state.ipv6LinkLocal) continue;
        const packet: ReceivedPacket = { bytes, source, destination, ttl: 255 };
        this.clock.setTimer(0, () => listener.onPacket(packet));
      }
    }
  }
}

export class FakePlatform implements Platform {
  readonly addresses = new FakeAddresses();
  /** Shares the addresses' call log, so tests see routes come after addresses. */
  readonly routes = new FakeRoutes(this.addresses.calls);
  readonly announcers = new Map<string, FakeAnnouncer>();
  readonly listeners: Array<{ options: ChannelOptions; onPacket: (packet: ReceivedPacket) => void }> = [];
  readonly sent: Array<{ source: string; destination: string; bytes: Uint8Array }> = [];
  private eventSink: ((event: HostEvent) => void) | undefined;
  linkUp = true;
  staleAddresses: string[] = [];
  staleRoutes: string[] = [];

  constructor(
    private readonly segment: FakeSegment,
    /** Replaced by tests that give or take the interface's addresses (then emit the event). */
    public state: InterfaceState,
  ) {
    segment.hosts.push(this);
  }

  async interfaceState(name: string): Promise<InterfaceState> {
    if (name !== this.state.name) throw new Error(`interface ${name} does not exist`);
    return { ...this.state, up: this.linkUp };
  }

  async openChannel(options: ChannelOptions, onPacket: (packet: ReceivedPacket) => void): Promise<OpenChannel> {
    const listener = { options, onPacket };
    this.listeners.push(listener);
    const sourceAddress = options.sourceAddress ?? (options.family === 'ipv4' ? this.state.ipv4 : this.state.ipv6LinkLocal) ?? '';
    return {
      sourceAddress,
      send: (bytes, destination) => {
        if (!this.linkUp) return;
        this.sent.push({ source: sourceAddress, destination, bytes });
        this.segment.deliver(this, options, bytes, sourceAddress, destination);
      },
      close: () => {
        this.listeners.splice(this.listeners.indexOf(listener), 1);
      },
    };
  }

  async announcer(interfaceName: string, family: AddressFamily): Promise<AnnouncePort> {
    const key = `${interfaceName}/${family}`;
    const announcer = this.announcers.get(key) ?? new FakeAnnouncer();
    this.announcers.set(key, announcer);
    return announcer;
  }

  async removeStaleAddresses(): Promise<string[]> {
    const removed = this.staleAddresses;
    this.staleAddresses = [];
    return removed;
  }

  async removeStaleRoutes(): Promise<string[]> {
    const removed = this.staleRoutes;
    this.staleRoutes = [];
    return removed;
  }

  watch(onEvent: (event: HostEvent) => void): () => void {
    this.eventSink = onEvent;
    return () => (this.eventSink = undefined);
  }

  /** Simulates a host event (carrier change, someone deleting an address). */
  emit(event: HostEvent): void {
    if (event.type === 'link') this.linkUp = event.up;
    if (event.type === 'address-removed') this.addresses.present.delete(event.address);
    this.eventSink?.(event);
  }
}

/**
 * Advances virtual time in 10 ms steps, letting queued address changes (promises) and what the
 * daemon defers to the end of an event-loop turn run as it goes.
 */
export function advancer(clock: VirtualClock): (ms: number) => Promise<void> {
  return async (ms) => {
    const end = clock.now() + ms;
    while (clock.now() < end) {
      clock.advanceTo(Math.min(end, clock.now() + 10));
      await tick();
    }
  };
}

/** The binding the daemon makes of one vrrp_instance (builders.ts's VI_1, changed by `overrides`) and global_defs. */
export function bindingOf(overrides: Partial<VrrpInstanceConfig> = {}, global: Partial<GlobalDefs> = {}): RouterBinding {
  return routerBindings(config({ global: { ...DEFAULTS.global, ...global }, instances: [instance(overrides)] }))[0]!;
}

/** Instance VI_1 (VRID 51) on eth0 with VIP 192.0.2.100/24, multicast; `extra` changes its configuration. */
export function vipInstance(priority: number, extra: Partial<VrrpInstanceConfig> = {}): RouterBinding {
  return bindingOf({ priority, ...extra });
}
