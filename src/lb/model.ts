// The load balancer's own model: keepalived's virtual_server / real_server after the
// configuration has resolved every default (src/config maps its blocks onto these types, the
// daemon builds them). Nothing here knows where a configuration came from; addresses are canonical
// text (RFC 5952 for IPv6), times milliseconds.
import type { AddressFamily } from '../core/address.js';

export type { AddressFamily };

/** `protocol TCP|UDP|SCTP`. */
export type Protocol = 'tcp' | 'udp' | 'sctp';

/**
 * `lvs_method`: NAT rewrites the destination (conntrack un-NATs the replies, which come back
 * through the director); DR sends the packet unchanged to the real server's MAC address on the
 * same link. TUN (IP-in-IP) has no nftables statement and is refused by the configuration check.
 */
export type ForwardingMethod = 'NAT' | 'DR';

/** `lvs_sched`: IPVS's schedulers that vrrpd implements (scheduler.ts says how each one maps). */
export type SchedulerName = 'rr' | 'wrr' | 'lc' | 'wlc' | 'sh' | 'dh' | 'mh' | 'sed' | 'nq' | 'fo' | 'ovf';
export const SCHEDULERS: readonly SchedulerName[] = ['rr', 'wrr', 'lc', 'wlc', 'sh', 'dh', 'mh', 'sed', 'nq', 'fo', 'ovf'];

/** Schedulers whose choice depends on live connection counts, refreshed from conntrack. */
export const CONNECTION_SCHEDULERS: ReadonlySet<SchedulerName> = new Set(['lc', 'wlc', 'sed', 'nq', 'ovf']);

/** One address range of a `virtual_server_group` (a single address has first = last); port 0: every port. */
export interface AddressRange {
  readonly family: AddressFamily;
  readonly first: string;
  readonly last: string;
  readonly port: number;
}

/** The traffic a virtual server takes. */
export type ServiceMatch =
  /** `virtual_server IP PORT`; port 0 takes every port (keepalived allows it for persistent services). */
  | { readonly kind: 'address'; readonly family: AddressFamily; readonly protocol: Protocol; readonly address: string; readonly port: number }
  /** `virtual_server fwmark N`: packets an operator's rule marked (any protocol). */
  | { readonly kind: 'fwmark'; readonly family: AddressFamily; readonly mark: number }
  /** `virtual_server group NAME`: the group's address ranges (with the virtual server's protocol) and marks. */
  | {
      readonly kind: 'group';
      readonly name: string;
      readonly family: AddressFamily;
      readonly protocol: Protocol;
      readonly ranges: readonly AddressRange[];
      readonly marks: readonly number[];
    };

/** A destination: a real server or the sorry server. */
export interface ServerSpec {
  /** `198.51.100.11:80`, `[2001:db8::11]:80`: names it in logs, status and nftables object names. */
  readonly key: string;
  readonly family: AddressFamily;
  readonly address: string;
  /** 0: keep the packet's destination port (fwmark and port-0 services; always with DR). */
  readonly port: number;
  readonly method: ForwardingMethod;
}

export interface RealServerSpec extends ServerSpec {
  /** `weight` 0..65535 (IPVS's limit); keepalived's default is the virtual server's `weight` (1). */
  readonly weight: number;
  /** `inhibit_on_failure`: a failed server stays with weight 0 (its connections continue) instead of leaving. */
  readonly inhibitOnFailure: boolean;
  /**
   * Its checkers, by id (the daemon runs them); `alpha`: the checker starts failed. A server
   * without checkers is always up.
   */
  readonly checkers: ReadonlyArray<{ readonly id: string; readonly alpha: boolean }>;
}

export interface SorryServerSpec extends ServerSpec {
  /** `sorry_server_inhibit`: present with weight 0 while not needed, instead of absent. */
  readonly inhibit: boolean;
}

/** `persistence_timeout` / `persistence_granularity`. */
export interface Persistence {
  readonly timeoutMs: number;
  /** The client address mask: IPv4 netmask text (keepalived takes any mask), IPv6 a prefix length. */
  readonly granularity: string | number;
}

export interface VirtualServerSpec {
  /** Names it: `tcp 192.0.2.100:80`, `fwmark 5`, `group web tcp`. Unique in a configuration. */
  readonly key: string;
  readonly match: ServiceMatch;
  readonly scheduler: SchedulerName;
  /** `sh-port` / `mh-port`: hash the source port too. */
  readonly hashPort: boolean;
  /** `sh-fallback` / `mh-fallback`: a bucket whose server is out goes to the next one in service. */
  readonly hashFallback: boolean;
  readonly persistence?: Persistence;
  /** `quorum`: the live weight needed. keepalived's default 1 (after reducing it to the total weight). */
  readonly quorum: number;
  /** `hysteresis`: gained at quorum + hysteresis, lost below quorum - hysteresis. */
  readonly hysteresis: number;
  readonly realServers: readonly RealServerSpec[];
  readonly sorryServer?: SorryServerSpec;
  /**
   * DR only: the interfaces the service's traffic arrives on (its VIP's) and the one its real
   * servers are reached through; the daemon resolves them on the host.
   */
  readonly dr?: { readonly inbound: readonly string[]; readonly outbound: string };
}

/** Where a destination stands in the rules: in rotation with a weight, or quiescent (weight 0: no new connections). */
export interface Destination {
  readonly server: ServerSpec;
  /** 0: quiescent (inhibited): its established connections continue, it takes no new ones. */
  readonly weight: number;
}

/** Live connections to one destination, from conntrack: IPVS's active (established TCP) and inactive counts. */
export interface ConnectionCount {
  readonly active: number;
  readonly inactive: number;
}
