// The configuration model of keepalived's load-balancing half (man keepalived.conf, "Virtual
// server(s)"): virtual_server_group, virtual_server, sorry_server and real_server with their
// checkers, after the loaders have read them. What keepalived fills in at the end of the
// configuration (a real server's port from its virtual server's, a checker's address, port and
// timings from the enclosing blocks) is left to validate-virtual-servers.ts, so that what is here
// is what was written.
import type { AddressFamily } from '../core/address.js';
import type { RealServerBuiltinChecker } from './checkers.js';

export type LvsProtocol = 'TCP' | 'UDP' | 'SCTP';
export type LvsMethod = 'NAT' | 'DR' | 'TUN';

/** A script keepalived runs as written: `notify_up`, `notify_down`, `quorum_up`, `quorum_down`. */
export interface LvsScriptConfig {
  readonly command: string;
  /** `SCRIPT USER [GROUP]`: who it runs as (else script_user). */
  readonly user?: string;
}

/** One entry of a virtual_server_group: an address or range with a port (0: every port), or a fwmark. */
export type GroupEntryConfig =
  | { readonly kind: 'range'; readonly family: AddressFamily; readonly first: string; readonly last: string; readonly port: number }
  | { readonly kind: 'fwmark'; readonly mark: number; readonly family?: AddressFamily };

/** `virtual_server_group NAME { ... }`. */
export interface VirtualServerGroupConfig {
  readonly name: string;
  readonly entries: readonly GroupEntryConfig[];
}

/** What a virtual server takes: `virtual_server IP PORT`, `virtual_server fwmark N`, `virtual_server group NAME`. */
export type VirtualServerTarget =
  | { readonly kind: 'address'; readonly family: AddressFamily; readonly address: string; readonly port: number }
  | { readonly kind: 'fwmark'; readonly mark: number }
  | { readonly kind: 'group'; readonly name: string };

/** Timing a checker takes from its real server, which takes it from its virtual server. */
export interface CheckTimingConfig {
  /** `delay_loop` (s). */
  readonly delayLoopMs?: number;
  /** `retry`. */
  readonly retry?: number;
  /** `delay_before_retry` (s). */
  readonly delayBeforeRetryMs?: number;
  /** `warmup` (s). */
  readonly warmupMs?: number;
  /** `connect_timeout` (s). */
  readonly connectTimeoutMs?: number;
}

/** `MISC_CHECK { misc_path ...; misc_timeout N; misc_dynamic; user U [G] }`. */
export interface MiscCheckConfig extends CheckTimingConfig {
  readonly type: 'MISC_CHECK';
  /** `misc_path`: the command line, run as written. */
  readonly path: string;
  /** `misc_timeout` (s): a run lasting longer fails. Default: the delay_loop. */
  readonly timeoutMs?: number;
  /** `misc_dynamic`: exit status 2..255 sets the weight to status - 2 (0 passes, 1 fails). */
  readonly dynamic: boolean;
  readonly user?: string;
  readonly alpha?: boolean;
}

/**
 * A built-in checker block of a real server (HTTP_GET, SSL_GET, TCP_CHECK, PING_CHECK, DNS_CHECK,
 * UDP_CHECK, SMTP_CHECK), read with the checkers' own keywords (keywords/checkers.ts): `connect_ip`,
 * `connect_port` and the timings as written, for validate-virtual-servers.ts to fill in from the
 * real server and virtual server.
 */
export type BuiltinCheckerConfig = RealServerBuiltinChecker;

/**
 * `FILE_CHECK { track_file NAME; weight W [reverse] }` (keepalived's check_file.c): the number in a
 * track_file, watched rather than run. With weight 0 a non-zero number takes the server out (with
 * reverse, a zero one); otherwise the number times the weight is added to the server's weight.
 * Without `weight`, the track_file's own weight and reverse apply.
 */
export interface FileCheckConfig {
  readonly type: 'FILE_CHECK';
  /** `track_file`: a track_file block's name; validation reports it missing or unknown. */
  readonly trackFile?: string;
  readonly weight?: number;
  readonly reverse?: boolean;
}

/** `BFD_CHECK { name NAME; alpha }` (keepalived's check_bfd.c): the server is up while the bfd_instance's session is. */
export interface BfdCheckConfig {
  readonly type: 'BFD_CHECK';
  /** `name`: a bfd_instance's name; validation reports it missing or unknown. */
  readonly name?: string;
  readonly alpha?: boolean;
}

/** The checkers whose verdict follows something the daemon watches (a file, a BFD session) instead of a run every delay_loop. */
export type WatchedCheckerConfig = FileCheckConfig | BfdCheckConfig;

export type RealServerCheckerConfig = MiscCheckConfig | BuiltinCheckerConfig | WatchedCheckerConfig;

/** `sorry_server IP [PORT]` with `sorry_server_inhibit` and `sorry_server_lvs_method`. */
export interface SorryServerConfig {
  readonly family: AddressFamily;
  readonly address: string;
  /** 0 when not given. */
  readonly port: number;
  readonly inhibit: boolean;
  readonly method?: LvsMethod;
}

/** `real_server IP [PORT] { ... }`. */
export interface RealServerConfig extends CheckTimingConfig {
  readonly family: AddressFamily;
  readonly address: string;
  /** 0 when not given (NAT: the virtual server's). */
  readonly port: number;
  /** `weight` 0..65535; default the virtual server's `weight`. */
  readonly weight?: number;
  /** `lvs_method`; default the virtual server's. */
  readonly method?: LvsMethod;
  /** `inhibit_on_failure`; default the virtual server's. */
  readonly inhibitOnFailure?: boolean;
  /** `alpha`; default the virtual server's. */
  readonly alpha?: boolean;
  readonly notifyUp?: LvsScriptConfig;
  readonly notifyDown?: LvsScriptConfig;
  /** `virtualhost`: the Host HTTP checks send (else the virtual server's). */
  readonly virtualhost?: string;
  readonly checkers: readonly RealServerCheckerConfig[];
  /** Where it is written, for messages: `file:line`. */
  readonly source?: string;
}

/** `virtual_server ... { ... }`. */
export interface VirtualServerConfig extends CheckTimingConfig {
  readonly target: VirtualServerTarget;
  /** `ip_family inet|inet6` (fwmark services); else from the address or the real servers. */
  readonly family?: AddressFamily;
  /** `protocol`; keepalived's default when absent for an address is UDP (with a warning). */
  readonly protocol?: LvsProtocol;
  /** `lvs_sched` / `lb_algo`; keepalived's default wlc. */
  readonly scheduler?: string;
  /** `ops`, `hashed`, `flag-1`..`flag-3`, `sh-port`, `sh-fallback`, `mh-port`, `mh-fallback`. */
  readonly flags: readonly string[];
  /** `lvs_method` / `lb_kind`; keepalived's default NAT. */
  readonly method?: LvsMethod;
  /** `persistence_timeout` (s); `persistence_timeout` alone is keepalived's 360 s. */
  readonly persistenceTimeoutMs?: number;
  /** `persistence_granularity`: an IPv4 netmask or an IPv6 prefix length. */
  readonly persistenceGranularity?: string | number;
  /** `persistence_engine` (IPVS's sip engine): refused, nftables has none. */
  readonly persistenceEngine?: string;
  readonly quorum?: number;
  readonly hysteresis?: number;
  readonly quorumUp?: LvsScriptConfig;
  readonly quorumDown?: LvsScriptConfig;
  readonly alpha: boolean;
  readonly omega: boolean;
  readonly inhibitOnFailure: boolean;
  readonly haSuspend: boolean;
  readonly virtualhost?: string;
  /** `weight`: the real servers' default weight (1). */
  readonly weight?: number;
  readonly sorryServer?: SorryServerConfig;
  readonly realServers: readonly RealServerConfig[];
  readonly source?: string;
}
