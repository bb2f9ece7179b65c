// The simulated LAN: hosts running vrrpd's real protocol core on one segment, with a virtual
// clock, per-packet delay, seeded loss and partitions. Advertisements cross it as bytes, through
// the real codec, so a simulated run exercises the same code as the daemon, minus Linux.
import type { AddressFamily } from '../core/address.js';
import {
  encodeAdvertisement,
  VRRP_MULTICAST_GROUP,
  type IpContext,
} from '../vrrp/packet/advertisement.js';
import type { RouterAction } from '../vrrp/protocol/actions.js';
import { dispatchPacket } from '../vrrp/protocol/dispatch.js';
import { KEEPALIVED_ANNOUNCEMENTS, type VirtualRouterConfig } from '../vrrp/protocol/config.js';
import { REQUIRED_TTL } from '../vrrp/protocol/receive-checks.js';
import { VirtualRouter } from '../vrrp/protocol/virtual-router.js';
import { seededRandom } from './random.js';
import { NodeClock, VirtualClock } from '../core/virtual-clock.js';

export interface LanOptions {
  /** One-way delivery delay in ms (default 0: delivered at the instant sent, after the sender). */
  readonly delayMs?: number;
  /** Probability that one copy of a packet is lost, 0..1. */
  readonly lossRate?: number;
  /**
   * How long a receiving host takes to read a packet after its arrival (a daemon whose loop is
   * busy), in ms (default 0). The packet carries its arrival time, as the Linux socket's kernel
   * timestamp does.
   */
  readonly readDelayMs?: number;
  readonly seed?: number;
}

export type RouterSpec = Partial<VirtualRouterConfig> & Pick<VirtualRouterConfig, 'name' | 'priority'>;

export interface HostSpec {
  readonly name: string;
  /** The host's primary IPv4 address and IPv6 link-local address on the segment. */
  readonly ipv4: string;
  readonly ipv6?: string;
  readonly routers: readonly RouterSpec[];
  /** keepalived vrrp_startup_delay for this host's routers. */
  readonly startupDelayMs?: number;
}

export type TraceEntry =
  | { readonly time: number; readonly kind: 'action'; readonly host: string; readonly router: string; readonly action: RouterAction }
  | { readonly time: number; readonly kind: 'event'; readonly description: string };

/** A router config from a scenario's spec: keepalived's vrrp_instance defaults for what the spec leaves out (the daemon's routerConfig maps a loaded configuration instead). */
export function routerConfigFromSpec(spec: RouterSpec): VirtualRouterConfig {
  return {
    vrid: 1,
    version: 3,
    family: 'ipv4',
    advertIntervalMs: 1000,
    preempt: true,
    preemptDelayMs: 0,
    initialState: 'BACKUP',
    virtualAddresses: ['192.0.2.100'],
    unicastPeers: [],
    lowerPrioNoAdvert: false,
    higherPrioSendAdvert: false,
    checksumFlavour: 'pseudo-header',
    announcements: KEEPALIVED_ANNOUNCEMENTS,
    ...spec,
  };
}

export class SimulatedHost {
  readonly routers = new Map<string, VirtualRouter>();
  /** Virtual addresses currently installed on this host. */
  readonly installed = new Set<string>();
  private clock: NodeClock;
  private running = false;

  constructor(
    private readonly lan: SimulatedLan,
    readonly spec: HostSpec,
  ) {
    this.clock = new NodeClock(lan.clock);
  }

  get name(): string {
    return this.spec.name;
  }

  get isUp(): boolean {
    return this.running;
  }

  address(family: AddressFamily): string {
    if (family === 'ipv4') return this.spec.ipv4;
    if (!this.spec.ipv6) throw new Error(`host ${this.name} has no IPv6 address`);
    return this.spec.ipv6;
  }

  /** Starts vrrpd on the host: one VirtualRouter per spec, each given the Startup event. */
  boot(): void {
    if (this.running) return;
    this.running = true;
    this.clock = new NodeClock(this.lan.clock);
    this.routers.clear();
    for (const spec of this.spec.routers) {
      const config = routerConfigFromSpec(spec);
      const router = new VirtualRouter(config, {
        clock: this.clock,
        primaryAddress: this.address(config.family),
        emit: (action) => this.perform(router, action),
      });
      this.routers.set(config.name, router);
    }
    for (const router of this.routers.values()) router.start(this.spec.startupDelayMs ?? 0);
  }

  /** Graceful stop (SIGTERM): every router shuts down, Masters send priority 0. */
  stop(): void {
    if (!this.running) return;
    for (const router of this.routers.values()) router.shutdown();
    this.powerOff();
  }

  /** The host dies (SIGKILL of vrrpd and the host with it): silence, addresses gone. */
  crash(): void {
    this.powerOff();
    this.installed.clear();
  }

  private powerOff(): void {
    this.clock.powerOff();
    this.running = false;
    this.routers.clear();
  }

  router(name: string): VirtualRouter {
    const router = this.routers.get(name);
    if (!router) throw new Error(`host ${this.name} runs no router ${name}`);
    return router;
  }

  private perform(router: VirtualRouter, action: RouterAction): void {
    this.lan.record({ time: this.lan.clock.now(), kind: 'action', host: this.name, router: router.config.name, action });
    switch (action.type) {
      case 'send-advertisement': {
        const { config } = router;
        const source = this.address(config.family);
        const destinations = config.unicastPeers.length > 0 ? config.unicastPeers : [VRRP_MULTICAST_GROUP[config.family]];
        for (const destination of destinations) {
          const ip: IpContext = { family: config.family, source, destination };
          this.lan.transmit(this, encodeAdvertisement(action.advertisement, ip, config.checksumFlavour), ip);
        }
        break;
      }
      case 'add-addresses':
        for (const address of action.addresses) this.installed.add(address);
        break;
      case 'remove-addresses':
        for (const address of action.addresses) this.installed.delete(address);
        break;
      case 'announce-addresses':
      case 'transition':
      case 'priority-changed':
      case 'lower-priority-master':
        break;
    }
  }

  /** A packet arrived from the segment at `receivedAt` and is read now. */
  receive(bytes: Uint8Array, ip: IpContext, receivedAt: number): void {
    if (!this.running) return;
    dispatchPacket(this.routers.values(), { bytes, ip, ttl: REQUIRED_TTL, receivedAt });
  }
}

export class SimulatedLan {
  readonly clock = new VirtualClock();
  readonly trace: TraceEntry[] = [];
  private readonly hosts = new Map<string, SimulatedHost>();
  private readonly random: () => number;
  private delayMs: number;
  private lossRate: number;
  private readonly readDelayMs: number;
  /** Partition groups: hosts in different groups cannot hear each other. Empty when whole. */
  private partitionOf = new Map<string, number>();
  /** Extra loss between particular hosts (direction from → to), for asymmetric failures. */
  private readonly blocked = new Set<string>();

  constructor(options: LanOptions = {}) {
    this.delayMs = options.delayMs ?? 0;
    this.lossRate = options.lossRate ?? 0;
    this.readDelayMs = options.readDelayMs ?? 0;
    this.random = seededRandom(options.seed ?? 1);
  }

  addHost(spec: HostSpec): SimulatedHost {
    const host = new SimulatedHost(this, spec);
    this.hosts.set(spec.name, host);
    return host;
  }

  host(name: string): SimulatedHost {
    const host = this.hosts.get(name);
    if (!host) throw new Error(`no host ${name} on the simulated LAN`);
    return host;
  }

  get allHosts(): SimulatedHost[] {
    return [...this.hosts.values()];
  }

  record(entry: TraceEntry): void {
    this.trace.push(entry);
  }

  note(description: string): void {
    this.record({ time: this.clock.now(), kind: 'event', description });
  }

  setLossRate(rate: number): void {
    this.lossRate = rate;
    this.note(`loss ${rate}`);
  }

  setDelay(delayMs: number): void {
    this.delayMs = delayMs;
    this.note(`delay ${delayMs} ms`);
  }

  /** Splits the segment: each group hears only itself; hosts in no group hear nobody. */
  partition(groups: readonly (readonly string[])[]): void {
    this.partitionOf = new Map(groups.flatMap((group, index) => group.map((name) => [name, index] as const)));
    this.note(`partition ${groups.map((group) => `[${group.join(' ')}]`).join(' ')}`);
  }

  heal(): void {
    this.partitionOf = new Map();
    this.blocked.clear();
    this.note('heal');
  }

  /** Drops everything `from` sends to `to` (one direction only), until heal(). */
  block(from: string, to: string): void {
    this.blocked.add(`${from}>${to}`);
    this.note(`block ${from} -> ${to}`);
  }

  private canReach(from: string, to: string): boolean {
    if (this.blocked.has(`${from}>${to}`)) return false;
    if (this.partitionOf.size === 0) return true;
    const a = this.partitionOf.get(from);
    return a !== undefined && a === this.partitionOf.get(to);
  }

  transmit(sender: SimulatedHost, bytes: Uint8Array, ip: IpContext): void {
    const multicast = ip.destination === VRRP_MULTICAST_GROUP[ip.family];
    for (const receiver of this.hosts.values()) {
      if (receiver === sender || !receiver.isUp || !this.canReach(sender.name, receiver.name)) continue;
      if (!multicast && receiver.spec.ipv4 !== ip.destination && receiver.spec.ipv6 !== ip.destination) continue;
      if (this.lossRate > 0 && this.random() < this.lossRate) continue;
      const arrival = this.clock.now() + this.delayMs;
      this.clock.setTimer(this.delayMs + this.readDelayMs, () => receiver.receive(bytes, ip, arrival));
    }
  }

  /** Hosts whose router `name` is Master right now. */
  masters(routerName: string): string[] {
    return this.allHosts.filter((host) => host.routers.get(routerName)?.state === 'Master').map((host) => host.name);
  }

  /** Hosts that have `address` installed right now. */
  holders(address: string): string[] {
    return this.allHosts.filter((host) => host.installed.has(address)).map((host) => host.name);
  }

  /** Transitions in the trace, optionally after `since`. */
  transitions(since = -1): Array<{ time: number; host: string; router: string; from: string; to: string; reason: string }> {
    const out = [];
    for (const entry of this.trace) {
      if (entry.kind !== 'action' || entry.action.type !== 'transition' || entry.time <= since) continue;
      out.push({ time: entry.time, host: entry.host, router: entry.router, from: entry.action.from, to: entry.action.to, reason: entry.action.reason });
    }
    return out;
  }
}
