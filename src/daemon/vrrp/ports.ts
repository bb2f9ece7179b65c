// What the daemon needs from the host, as narrow interfaces. The Linux layer (src/linux)
// implements them; tests use fakes. Keeping the daemon on these ports is what lets one wiring
// run against real sockets and netlink or against an in-memory host.
import type { HeldRepeats } from '../../vrrp/protocol/held-repeats.js';
import type { HeldSends } from '../../vrrp/protocol/held-sends.js';
import type { AddressFamily } from '../../core/address.js';
import type { VirtualRouteConfig, VirtualRuleConfig } from '../../config/model.js';

/** One address as keepalived's virtual_ipaddress describes it. */
export interface VirtualAddressSpec {
  readonly address: string;
  readonly prefixLength: number;
  readonly family: AddressFamily;
  /** The interface to put it on (keepalived `dev`; defaults to the instance's interface). */
  readonly device: string;
  readonly label?: string;
  readonly scope?: string;
  readonly broadcast?: string;
  /** keepalived no_track: deleted by someone else while Master, it is not put back. */
  readonly noTrack?: boolean;
}

export interface AddressPort {
  /** Installs the address; resolves when the kernel has it (already present counts as done). */
  add(spec: VirtualAddressSpec): Promise<void>;
  /**
   * Installs the address in this call, when that can be settled at once: true when the host has
   * added it; false leaves the address to add(), which also reports refusals (an interface not yet
   * looked up, a request before it, the address already there, or any error).
   */
  addNow?(spec: VirtualAddressSpec): boolean;
  /** Removes the address if vrrpd put it there; gone already counts as done. */
  remove(spec: VirtualAddressSpec): Promise<void>;
  /** Readies the address's add at start (what it looks up, the code it runs), changing nothing on the host. */
  prepare?(spec: VirtualAddressSpec): Promise<void>;
}

/** One keepalived virtual_routes entry, as the configuration model has it. */
export type VirtualRouteSpec = VirtualRouteConfig;

/** One keepalived virtual_rules entry, as the configuration model has it. */
export type VirtualRuleSpec = VirtualRuleConfig;

/** Routes and policy rules a Master installs after its addresses (keepalived virtual_routes / virtual_rules). */
export interface RoutePort {
  /** Installs the route; already there and vrrpd's counts as done; someone else's is an error. */
  addRoute(spec: VirtualRouteSpec): Promise<void>;
  /** Removes the route if vrrpd put it there; gone already counts as done. */
  removeRoute(spec: VirtualRouteSpec): Promise<void>;
  addRule(spec: VirtualRuleSpec): Promise<void>;
  removeRule(spec: VirtualRuleSpec): Promise<void>;
}

/** Sends advertisements of one instance out of its interface. */
export interface AdvertisementChannel {
  /** The source address the kernel will put on our packets (part of the v3 checksum). */
  readonly sourceAddress: string;
  /** `bytes` are the caller's to keep but never modified afterwards: the channel may hold them until sent. */
  send(bytes: Uint8Array, destination: string): void;
  /**
   * Arms a Master's priority-0 advertisement for the host to send itself on SIGTERM / SIGINT,
   * before the event loop hears of the signal; returns what takes it back, or undefined when the
   * host cannot (then the priority-0 advertisement sent on shutdown is the only one).
   */
  armResignation?(bytes: Uint8Array, destination: string): (() => void) | undefined;
  /**
   * Sends a Master's advertisement itself, `packets` (one per destination) first at `firstDue`
   * and every `intervalMs` after on the daemon's clock, until released (held-sends.ts); undefined
   * when the channel cannot. `onRefused`: the channel stopped, a send refused (and reported).
   */
  holdSends?(vrid: number, packets: readonly HeldPacket[], intervalMs: number, firstDue: number, onRefused: () => void): HeldSends | undefined;
}

/** One destination's bytes of a held advertisement. */
export interface HeldPacket {
  readonly bytes: Uint8Array;
  readonly destination: string;
}

/** Gratuitous ARP / unsolicited NA for the virtual addresses of one instance. */
export interface AnnouncePort {
  announce(addresses: readonly string[], count: number): void;
  /** Builds the frames `announce` would send and sends none: at start, so that becoming Master need not (and the rehearsal). */
  prepare(addresses: readonly string[]): void;
}

/** A received VRRP packet, as the socket layer hands it over. */
export interface ReceivedPacket {
  readonly bytes: Uint8Array;
  readonly source: string;
  readonly destination: string;
  /** IPv4 TTL or IPv6 Hop Limit; undefined when the socket cannot tell. */
  readonly ttl: number | undefined;
  /** Milliseconds between the kernel's receipt of the packet and its read; undefined when the socket cannot tell. */
  readonly ageMs?: number | undefined;
}

export interface ChannelOptions {
  readonly interfaceName: string;
  readonly family: AddressFamily;
  /** Multicast groups to join (none in pure unicast mode). */
  readonly groups: readonly string[];
  /** keepalived unicast_src_ip: the address to send from; otherwise the interface's primary. */
  readonly sourceAddress?: string;
}

export interface OpenChannel extends AdvertisementChannel {
  close(): void;
  /**
   * Counts the packets of `vrid` byte-identical to `packet` (same source, destination and bytes)
   * instead of handing them over, until released (src/vrrp/protocol/held-repeats.ts); undefined
   * when the socket cannot. `packet` is the one just handed over.
   */
  holdRepeats?(vrid: number, packet: ReceivedPacket): HeldRepeats | undefined;
  /**
   * While all `routers` using the channel have their repeats held, the channel may leave what
   * arrives unread for up to `delayMs` at a time (read later, stamped with its arrival), never
   * past `notAfter` on the daemon's clock; `delayMs` 0: read at once.
   */
  setReadPause?(delayMs: number, notAfter: number, routers: number): void;
}

export interface InterfaceState {
  readonly name: string;
  readonly index: number;
  readonly up: boolean;
  readonly mac: string;
  /** IPv4 primary address, if any. */
  readonly ipv4?: string;
  /** IPv6 link-local address, if any (RFC 5798 §5.1.2.1: the source of IPv6 adverts). */
  readonly ipv6LinkLocal?: string;
}

export type HostEvent =
  | { readonly type: 'link'; readonly interfaceName: string; readonly up: boolean }
  | { readonly type: 'address-removed'; readonly interfaceName: string; readonly address: string; readonly prefixLength: number }
  /** An address became usable: added, or (IPv6) done with duplicate address detection. */
  | { readonly type: 'address-added'; readonly interfaceName: string; readonly address: string; readonly prefixLength: number };

/** Everything the daemon needs from the host. */
export interface Platform {
  readonly addresses: AddressPort;
  interfaceState(name: string): Promise<InterfaceState>;
  /**
   * `packet` and its bytes are valid during the onPacket call only: the IPv4 socket hands every
   * packet over in one object, and their bytes in one buffer, that it reuses (issue 16). Copy what
   * is kept.
   */
  openChannel(options: ChannelOptions, onPacket: (packet: ReceivedPacket) => void): Promise<OpenChannel>;
  announcer(interfaceName: string, family: AddressFamily): Promise<AnnouncePort>;
  /** Removes addresses a previous vrrpd left behind (after SIGKILL); returns what it removed. */
  removeStaleAddresses(): Promise<string[]>;
  /** virtual_routes / virtual_rules; a host without them cannot run instances that have any. */
  readonly routes?: RoutePort;
  /** Removes routes and rules a previous vrrpd left behind (after SIGKILL); returns what it removed. */
  removeStaleRoutes?(): Promise<string[]>;
  /** Link and address changes; returns a function that stops them. */
  watch(onEvent: (event: HostEvent) => void): () => void;
  /** use_vmac interfaces; a host without them cannot run instances that use one. */
  readonly vmacs?: VmacPort;
  /** Gratuitous ARP / NA pacing (vrrp_garp_interval, garp_group), applied at start and on reload. */
  configureAnnouncements?(pacing: AnnouncePacing): void;
  /**
   * From now until the returned function is called, reads of the host's interfaces and addresses
   * may be answered from one read of each, taken again after any change vrrpd makes: a start asks
   * for the same interface's state several times per instance, milliseconds apart.
   */
  holdHostReads?(): () => void;
}

/** The use_vmac interfaces vrrpd made (src/linux/vmac.ts), created and removed with their instances. */
export interface VmacPort {
  /** Creates those not there yet; returns the names it created. */
  create(specs: readonly VmacSpec[]): Promise<string[]>;
  remove(names: readonly string[]): Promise<void>;
  /** Removes those created before that `specs` no longer has. */
  keepOnly(specs: readonly VmacSpec[]): Promise<void>;
  /** Removes every one this run created (on stop). */
  removeAll(): Promise<void>;
}

/** A use_vmac interface: a macvlan with the VRRP virtual MAC (RFC 5798 §7.3) on its parent. */
export interface VmacSpec {
  /** The macvlan's name (use_vmac NAME, default vrrp.<VRID>). */
  readonly name: string;
  /** The instance's configured interface. */
  readonly parent: string;
  readonly vrid: number;
  readonly family: AddressFamily;
}

/**
 * Gratuitous ARP / NA pacing for the platform (src/linux/announce/pacer.ts): the least time
 * between two gratuitous ARPs, or two unsolicited NAs, on an interface.
 */
export interface AnnouncePacing {
  /** vrrp_garp_interval / vrrp_gna_interval: interfaces not named below. */
  readonly arpIntervalMs: number;
  readonly naIntervalMs: number;
  /** Per interface; interfaces with the same `group` share one pace (garp_group `interfaces`). */
  readonly perInterface: ReadonlyMap<string, { readonly arpIntervalMs: number; readonly naIntervalMs: number; readonly group?: string }>;
}
