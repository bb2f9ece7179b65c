// Hosts on an in-memory segment for daemon tests: each FakePlatform is one host with one or more
// interfaces; a channel delivers to the channels of every other host on the interface of the same
// name (one segment per interface name), after the virtual clock ticks. An observer sees what the
// host is asked to do (packets, address and route changes, announcements), in order.
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

/** A VRRP packet on the segment: what a channel sent, or what a test injects as a peer. */
export interface SegmentPacket {
  readonly interfaceName: string;
  readonly family: AddressFamily;
  readonly bytes: Uint8Array;
  readonly source: string;
  readonly destination: string;
  /** IPv4 TTL / IPv6 Hop Limit as received; 255 for packets of the hosts. */
  readonly ttl: number;
}

/** Sees, in order, what the daemon asks of a host. */
export interface PlatformObserver {
  sent?(packet: SegmentPacket): void;
  /** An address, route or rule change as FakeAddresses / FakeRoutes record it (`add 192.0.2.100/24 dev eth0`). */
  changed?(call: string): void;
  announced?(interfaceName: string, family: AddressFamily, addresses: readonly string[], count: number): void;
}

export class FakeSegment {
  readonly hosts: FakePlatform[] = [];
  constructor(readonly clock: VirtualClock) {}

  /** Delivers to every listening channel of the other hosts on the packet's interface. */
  deliver(from: FakePlatform | undefined, packet: SegmentPacket): void {
    for (const host of this.hosts) {
      if (host === from || !host.isUp(packet.interfaceName)) continue;
      const state = host.interfaces.get(packet.interfaceName);
      for (const listener of host.listeners) {
        if (listener.options.interfaceName !== packet.interfaceName || listener.options.family !== packet.family) continue;
        const multicast = listener.options.groups.includes(packet.destination);
        if (!multicast && packet.destination !== state?.ipv4 && packet.destination !== state?.ipv6LinkLocal) continue;
        const received: ReceivedPacket = { bytes: packet.bytes, source: packet.source, destination: packet.destination, ttl: packet.ttl };
        this.clock.setTimer(0, () => listener.onPacket(received));
      }
    }
  }
}

export class FakePlatform implements Platform {
  readonly addresses = new FakeAddresses(undefined, (call) => this.observer?.changed?.(call));
  /** Shares the addresses' call log, so tests see routes come after addresses. */
  readonly routes = new FakeRoutes(this.addresses.calls, (call) => this.observer?.changed?.(call));
  readonly announcers = new Map<string, FakeAnnouncer>();
  readonly listeners: Array<{ options: ChannelOptions; onPacket: (packet: ReceivedPacket) => void }> = [];
  readonly sent: Array<{ source: string; destination: string; bytes: Uint8Array }> = [];
  /** Priority-0 advertisements armed for the signal handler (AdvertisementChannel.armResignation), by arming. */
  readonly armedResignations = new Map<number, { destination: string; bytes: Uint8Array }>();
  private resignationsArmed = 0;
  /** Every interface by name; the first one given is `state`. */
  readonly interfaces = new Map<string, InterfaceState>();
  observer: PlatformObserver | undefined;
  private readonly down = new Set<string>();
  private readonly primary: string;
  private connected = true;
  private eventSink: ((event: HostEvent) => void) | undefined;
  staleAddresses: string[] = [];
  staleRoutes: string[] = [];

  constructor(
    private readonly segment: FakeSegment,
    state: InterfaceState,
    more: readonly InterfaceState[] = [],
  ) {
    this.primary = state.name;
    for (const each of [state, ...more]) this.interfaces.set(each.name, each);
    segment.hosts.push(this);
  }

  /** The first interface; replaced by tests that give or take its addresses (then emit the event). */
  get state(): InterfaceState {
    return this.interfaces.get(this.primary)!;
  }

  set state(value: InterfaceState) {
    this.interfaces.set(this.primary, value);
  }

  /** Whether the first interface has carrier. */
  get linkUp(): boolean {
    return this.isUp(this.primary);
  }

  isUp(interfaceName: string): boolean {
    return this.connected && !this.down.has(interfaceName);
  }

  async interfaceState(name: string): Promise<InterfaceState> {
    const state = this.interfaces.get(name);
    if (!state) throw new Error(`interface ${name} does not exist`);
    return { ...state, up: !this.down.has(name) };
  }

  async openChannel(options: ChannelOptions, onPacket: (packet: ReceivedPacket) => void): Promise<OpenChannel> {
    const listener = { options, onPacket };
    this.listeners.push(listener);
    const state = this.interfaces.get(options.interfaceName);
    const sourceAddress = options.sourceAddress ?? (options.family === 'ipv4' ? state?.ipv4 : state?.ipv6LinkLocal) ?? '';
    return {
      sourceAddress,
      send: (bytes, destination) => {
        if (!this.isUp(options.interfaceName)) return;
        const packet: SegmentPacket = { interfaceName: options.interfaceName, family: options.family, bytes, source: sourceAddress, destination, ttl: 255 };
        this.sent.push({ source: sourceAddress, destination, bytes });
        this.observer?.sent?.(packet);
        this.segment.deliver(this, packet);
      },
      armResignation: (bytes, destination) => {
        const id = this.resignationsArmed++;
        this.armedResignations.set(id, { destination, bytes });
        return () => this.armedResignations.delete(id);
      },
      close: () => {
        this.listeners.splice(this.listeners.indexOf(listener), 1);
      },
    };
  }

  async announcer(interfaceName: string, family: AddressFamily): Promise<AnnouncePort> {
    const key = `${interfaceName}/${family}`;
    const announcer = this.announcers.get(key) ?? new FakeAnnouncer((addresses, count) => this.observer?.announced?.(interfaceName, family, addresses, count));
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
    if (event.type === 'link' && event.up) this.down.delete(event.interfaceName);
    if (event.type === 'link' && !event.up) this.down.add(event.interfaceName);
    if (event.type === 'address-removed') this.addresses.present.delete(event.address);
    this.eventSink?.(event);
  }

  /** The host drops off the segment (a crash, a pulled cable): it sends and hears nothing more. */
  disconnect(): void {
    this.connected = false;
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
