// The one configuration model. The keepalived.conf and YAML loaders fill it; validate.ts checks it;
// the daemon maps it onto protocol state machines (runtime.ts). Times are milliseconds here,
// whatever unit the source format uses (keepalived writes seconds, with decimals).
// Each field says which keepalived keyword it comes from; the keyword registry (keywords/) declares
// how each is read, written and defaulted (DEFAULTS, in defaults.ts, is derived from it).
import type { AddressFamily } from '../core/address.js';
import type { CheckerConfig } from './checkers.js';
import type { VirtualServerConfig, VirtualServerGroupConfig } from './virtual-server.js';

export type { AddressFamily };

/**
 * One `virtual_ipaddress` / `virtual_ipaddress_excluded` entry:
 * `<addr>[/<prefix>] [brd X] [dev X] [scope X] [label X] [-nodad]`.
 */
export interface VirtualAddressConfig {
  /** The address, canonical text (RFC 5952 for IPv6). */
  readonly address: string;
  /** `/<prefix>`; keepalived uses /32 or /128 when it is omitted. */
  readonly prefixLength: number;
  /** Follows from the address. */
  readonly family: AddressFamily;
  /** `dev`: install on this interface instead of the instance's. */
  readonly device?: string;
  /** `label`: IPv4 alias label, by convention `<dev>:<text>` (ifconfig compatible). */
  readonly label?: string;
  /** `scope`: global (the default), site, link, host or nowhere. */
  readonly scope?: string;
  /** `brd`: IPv4 broadcast address. */
  readonly broadcast?: string;
  /** `-nodad` / `no_dad`: IPv6 only; skip Duplicate Address Detection so the address works at once. */
  readonly noDad?: boolean;
  /** `no_track`: deleted by someone else while Master, it is not put back (until the next mastership). */
  readonly noTrack?: boolean;
}

/** An address with a prefix length: `192.0.2.0/24`, or a host (`/32`, `/128`) when written without one. */
export interface PrefixConfig {
  /** Canonical text (RFC 5952 for IPv6). */
  readonly address: string;
  readonly prefixLength: number;
}

/** The route types besides unicast that `virtual_routes` takes (`ip route` TYPE). */
export type RouteType = 'blackhole' | 'unreachable' | 'prohibit';

/**
 * One `virtual_routes` entry: `[src ADDR] [to] [TYPE] PREFIX|default [via|gw|gateway ADDR] [dev IF]
 * [metric N] [table N] [scope S] [onlink]`. Installed with the virtual addresses on becoming Master.
 */
export interface VirtualRouteConfig {
  /** From the destination, else from `via` / `src` (for `default`). */
  readonly family: AddressFamily;
  /** The destination network (`default`: 0.0.0.0/0 or ::/0), canonical text. */
  readonly destination: string;
  readonly prefixLength: number;
  /** TYPE before the destination: `blackhole`, `unreachable`, `prohibit`; absent = unicast. */
  readonly type?: RouteType;
  /** `src`: preferred source address (RTA_PREFSRC). */
  readonly source?: string;
  /** `via` / `gw` / `gateway`: the next hop. */
  readonly gateway?: string;
  /** `dev`: the output interface. */
  readonly device?: string;
  /** `metric` / `preference` / `priority`, 0..4294967295 (RTA_PRIORITY). */
  readonly metric?: number;
  /** `table`: 1..4294967295, main/default/local, or a name from the host's rt_tables (kept as its number); absent = main (254). */
  readonly table?: number;
  /** `scope`: global, site, link, host, nowhere or a number; absent = the kernel's choice as `ip route` makes it. */
  readonly scope?: string;
  /** `onlink`: the gateway is on the link even without a matching prefix (RTNH_F_ONLINK). */
  readonly onlink?: boolean;
}

/**
 * One `virtual_rules` entry: `[not] [from PREFIX|all] [to PREFIX|all] [iif IF] [oif IF] [fwmark N[/M]]
 * [priority|preference|pref N] table N`. Installed after the routes on becoming Master.
 */
export interface VirtualRuleConfig {
  /** From `from` / `to`, else the instance's family. */
  readonly family: AddressFamily;
  /** `from`: source prefix (absent or `all`: any). */
  readonly from?: PrefixConfig;
  /** `to`: destination prefix. */
  readonly to?: PrefixConfig;
  /** `table` / `lookup`: 1..4294967295, main/default/local, or a name from the host's rt_tables. */
  readonly table: number;
  /** `priority` / `preference` / `pref` 0..4294967295; the loader gives rules without one keepalived's 16384, 16383... in file order. */
  readonly priority?: number;
  /** `iif`: incoming interface. */
  readonly inputInterface?: string;
  /** `oif`: outgoing interface (for locally generated traffic). */
  readonly outputInterface?: string;
  /** `fwmark N[/MASK]`: the mark, 0..4294967295. */
  readonly fwmark?: number;
  /** The `/MASK` of fwmark. */
  readonly fwmask?: number;
  /** `not`: the rule matches what the selectors do not (FIB_RULE_INVERT). */
  readonly invert?: boolean;
}

/** One `unicast_peer` entry: `<addr> [min_ttl N] [max_ttl N]`. */
export interface UnicastPeerConfig {
  readonly address: string;
  /** `min_ttl` 0..255: drop adverts from this peer arriving with a lower TTL / hop limit. */
  readonly minTtl?: number;
  /** `max_ttl` 0..255: drop adverts arriving with a higher TTL / hop limit. */
  readonly maxTtl?: number;
}

/** Gratuitous ARP / unsolicited NA timing: `vrrp_garp_*` in global_defs, `garp_*` per instance. */
export interface GarpConfig {
  /** `garp_master_delay` (s): second burst this long after becoming Master; 0 = no second burst. Default 5 s. */
  readonly masterDelayMs: number;
  /** `garp_master_repeat`: announcements per burst, 1 or more. Default 5. */
  readonly masterRepeat: number;
  /** `garp_master_refresh` (s): repeat a burst this often while Master; 0 = off. Default 0. */
  readonly masterRefreshMs: number;
  /** `garp_master_refresh_repeat`: announcements per refresh, 1 or more. Default 1. */
  readonly masterRefreshRepeat: number;
  /** `garp_lower_prio_delay` (s): second burst after a lower-priority advert reached us as Master. Default: garp_master_delay. */
  readonly lowerPrioDelayMs: number;
  /** `garp_lower_prio_repeat`: announcements per such burst; 0 = none. Default: garp_master_repeat. */
  readonly lowerPrioRepeat: number;
  /** `vrrp_garp_interval` / `garp_interval` (s, µs resolution): gap between gratuitous ARPs on an interface. Default 0. */
  readonly arpIntervalMs: number;
  /** `vrrp_gna_interval` / `gna_interval` (s, µs resolution): gap between unsolicited NAs on an interface. Default 0. */
  readonly naIntervalMs: number;
}

/** One `track_interface` entry: `<ifname> [weight N] [reverse]`. */
export interface TrackedInterfaceConfig {
  readonly name: string;
  /** `weight` -253..253. 0: the instance goes to Fault while the interface is down; else added while up (negative: subtracted while down). Default 0. */
  readonly weight: number;
  /** `reverse`: the adjustment applies in the opposite link state. */
  readonly reverse: boolean;
}

/** One `track_script` / `track_file` / `track_process` entry: `<name> [weight N] [reverse|noreverse]`. */
export interface TrackerRefConfig {
  /** The vrrp_script / track_file / vrrp_track_process it names. */
  readonly name: string;
  /** `weight`: overrides the definition's weight (-253..253 for scripts, -254..254 for files and processes). */
  readonly weight?: number;
  /** `reverse` / `noreverse`: overrides the definition's reverse; undefined keeps it. */
  readonly reverse?: boolean;
}

export type TrackedScriptRefConfig = TrackerRefConfig;
export type TrackedFileRefConfig = TrackerRefConfig;
export type TrackedProcessRefConfig = TrackerRefConfig;

/** `notify_*` command lines (run as written; keepalived appends nothing to them). */
export interface NotifyConfig {
  /** `notify_master`. */
  readonly master?: string;
  /** `notify_backup`. */
  readonly backup?: string;
  /** `notify_fault`. */
  readonly fault?: string;
  /** `notify_stop`: the daemon stops the instance. */
  readonly stop?: string;
  /** `notify`: called on every transition with INSTANCE|GROUP, name, state and priority appended. */
  readonly any?: string;
  /** `notify_master_rx_lower_pri` (instances): run when, as Master, we hear a lower-priority Master. */
  readonly masterRxLowerPri?: string;
  /**
   * `notify_deleted [script]` (instances): an instance a reload removes is reported DELETED (and
   * the script run), where keepalived otherwise reports FAULT.
   */
  readonly deleted?: { readonly script?: string };
  /** `notify_* <script> USER [GROUP]`: who a script runs as, as written (else script_user). */
  readonly users?: { readonly [K in NotifyScript]?: string };
}

/** The notify scripts of an instance or sync group. */
export type NotifyScript = 'master' | 'backup' | 'fault' | 'stop' | 'any' | 'masterRxLowerPri' | 'deleted';

export interface VrrpInstanceConfig {
  /** `vrrp_instance <name>`. */
  readonly name: string;
  /** `interface`: the link VRRP runs on. */
  readonly interface: string;
  /** `virtual_router_id`, 1..255. */
  readonly virtualRouterId: number;
  /** `version` (else global `vrrp_version`), 2 or 3; IPv6 instances always run 3. */
  readonly version: 2 | 3;
  /** From the virtual addresses: one instance serves one family (RFC 5798 §1; excluded addresses may differ). */
  readonly family: AddressFamily;
  /** `priority`, 1..255 (255: address owner). Default 100. */
  readonly priority: number;
  /** `advert_int` (s): v2 whole seconds 1..255, v3 0.01..40.95 in 0.01 steps. Default 1 s. */
  readonly advertIntervalMs: number;
  /** `state` MASTER|BACKUP: only a hint (see protocol/config.ts). Default BACKUP. */
  readonly initialState: 'BACKUP' | 'MASTER';
  /** false with `nopreempt`; `preempt` (the default) sets it back. */
  readonly preempt: boolean;
  /** `preempt_delay` (s), 0..1000. Default 0. */
  readonly preemptDelayMs: number;
  /** `accept` / `no_accept`: answer traffic to the VIPs as a non-owner Master. Default accept unless vrrp_strict. */
  readonly acceptMode: boolean;
  /** `unicast_src_ip`: source of unicast adverts (default: the interface's primary address). */
  readonly unicastSourceIp?: string;
  /** `unicast_peer { ... }`; empty means multicast. */
  readonly unicastPeers: readonly UnicastPeerConfig[];
  /** `mcast_src_ip`: source of multicast adverts (default: the interface's primary address). */
  readonly multicastSourceIp?: string;
  /** `authentication { auth_type PASS; auth_pass X }`: VRRPv2 only, 8 characters used. */
  readonly authentication?: { readonly type: 'PASS'; readonly password: string };
  /** `virtual_ipaddress { ... }`: advertised and installed as Master. */
  readonly virtualAddresses: readonly VirtualAddressConfig[];
  /** `virtual_ipaddress_excluded { ... }`: installed as Master, not advertised; any family. */
  readonly excludedAddresses: readonly VirtualAddressConfig[];
  /** `virtual_routes { ... }`: installed after the addresses on becoming Master, removed on leaving it. Absent: none. */
  readonly virtualRoutes?: readonly VirtualRouteConfig[];
  /** `virtual_rules { ... }`: policy routing rules, installed after the routes. Absent: none. */
  readonly virtualRules?: readonly VirtualRuleConfig[];
  /** `track_interface { ... }`. */
  readonly trackInterfaces: readonly TrackedInterfaceConfig[];
  /** `track_script { ... }`. */
  readonly trackScripts: readonly TrackedScriptRefConfig[];
  /** `track_file { ... }`. */
  readonly trackFiles: readonly TrackedFileRefConfig[];
  /** `track_process { ... }`. */
  readonly trackProcesses: readonly TrackedProcessRefConfig[];
  /** `dont_track_primary`: the instance's own interface going down does not mean Fault. */
  readonly dontTrackPrimary: boolean;
  /** `garp_*`: defaults from global_defs `vrrp_garp_*`. */
  readonly garp: GarpConfig;
  /** `lower_prio_no_advert` (else global `vrrp_lower_prio_no_advert`): as Master, ignore lower-priority adverts silently. */
  readonly lowerPrioNoAdvert: boolean;
  /** `higher_prio_send_advert` (else global): as Master, send one advert before yielding to a higher priority. */
  readonly higherPrioSendAdvert: boolean;
  /** `use_vmac [name]`: adverts and VIPs on a macvlan with the VRRP MAC (default name `vrrp.<VRID>`). */
  readonly useVmac?: { readonly name?: string };
  /** false with `v3_checksum_as_v2` (RFC 9568 style: no IPv4 pseudo-header in the v3 checksum). Default true. */
  readonly v3ChecksumWithPseudoHeader: boolean;
  /** RFC 5798 §8.4 VRRPv2 interoperation mode (vrrpd; keepalived has no such mode). Default false. */
  readonly v2Interop: boolean;
  /** `notify_master`, `notify_backup`, `notify_fault`, `notify_stop`, `notify`, `notify_master_rx_lower_pri`. */
  readonly notify: NotifyConfig;
  /** `notify_priority_changes` (else global): `MASTER_PRIORITY` / `BACKUP_PRIORITY` lines on the notify FIFO. */
  readonly notifyPriorityChanges: boolean;
  /** `track_bfd { ... }`: bfd_instances whose session state weighs on the priority. */
  readonly trackBfd: readonly TrackerRefConfig[];
  /** `debug` 0..4 (keepalived accepts it and does nothing with it). */
  readonly debug?: number;
}

/** `vrrp_script <name> { ... }`. */
export interface TrackScriptConfig {
  readonly name: string;
  /** `script`: the command line; empty when a checker block takes its place. */
  readonly script: string;
  /** A checker block (HTTP_GET, SSL_GET, TCP_CHECK, PING_CHECK, DNS_CHECK, UDP_CHECK, SMTP_CHECK) instead of `script`: run in-process. */
  readonly checker?: CheckerConfig;
  /** `interval` (s): time between runs. Default 1 s. */
  readonly intervalMs: number;
  /** `timeout` (s): a run lasting longer counts as failed. Default: the interval (with a checker: the longest its attempts can take). */
  readonly timeoutMs: number;
  /** `weight` -253..253: 0 = failure means Fault; else added while OK (negative: subtracted while failed). Default 0. */
  readonly weight: number;
  /** `weight N reverse`: the adjustment applies in the opposite state. */
  readonly reverse: boolean;
  /** `rise`: consecutive successes to become OK. Default 1. */
  readonly rise: number;
  /** `fall`: consecutive failures to become failed. Default 1. */
  readonly fall: number;
  /** `user <user> [group]`: run as this user (else global script_user). */
  readonly user?: string;
  /** `init_fail`: start in the failed state. */
  readonly initFail: boolean;
}

/** `track_file <name> { ... }` (`vrrp_track_file` is keepalived's older synonym). */
export interface TrackFileConfig {
  readonly name: string;
  /** `file`: the file whose number is read whenever it changes. */
  readonly path: string;
  /** `weight`: multiplies the number read; 0 = any non-zero number means Fault. Default 1. */
  readonly weight: number;
  /** `weight N reverse`. */
  readonly reverse: boolean;
  /** `init_file [VALUE] [overwrite]`: create the file holding VALUE (default 0) at start; `overwrite` also replaces an existing one. */
  readonly initFile?: { readonly value: number; readonly overwrite: boolean };
}

/** `vrrp_track_process <name> { ... }`. */
export interface TrackProcessConfig {
  readonly name: string;
  /** `process`: the process name (/proc/PID/comm), or the command when parameters or full_command are given. */
  readonly process: string;
  /** `process` words after the first: parameters to match. */
  readonly parameters: readonly string[];
  /** `param_match` initial|partial; exact otherwise. */
  readonly paramMatch: 'exact' | 'initial' | 'partial';
  /** `full_command`: match the command line (/proc/PID/cmdline). */
  readonly fullCommand: boolean;
  /** `weight` -254..254: 0 = too few processes means Fault. Default 0. */
  readonly weight: number;
  /** `weight N reverse`. */
  readonly reverse: boolean;
  /** `quorum` 1..65535: processes needed for OK. Default 1. */
  readonly quorum: number;
  /** `quorum_max` 0..65535: more processes than this is a failure. Default unlimited. */
  readonly quorumMax?: number;
  /** `fork_delay` (s; `delay` sets both): wait before counting a new process. Default 0. */
  readonly forkDelayMs: number;
  /** `terminate_delay` (s): wait before counting a process as gone. Default 0. */
  readonly terminateDelayMs: number;
}

/** `vrrp_sync_group <name> { ... }`: instances that change state together. */
export interface SyncGroupConfig {
  readonly name: string;
  /** `group { ... }`: vrrp_instance names. */
  readonly members: readonly string[];
  /** `track_script { ... }`: applies to every member. */
  readonly trackScripts: readonly TrackedScriptRefConfig[];
  /** `track_interface { ... }`. */
  readonly trackInterfaces: readonly TrackedInterfaceConfig[];
  /** `track_file { ... }`. */
  readonly trackFiles: readonly TrackedFileRefConfig[];
  /** `track_process { ... }`. */
  readonly trackProcesses: readonly TrackedProcessRefConfig[];
  /** `track_bfd { ... }`. */
  readonly trackBfd: readonly TrackerRefConfig[];
  /** `notify_*` and `notify` (GROUP is passed instead of INSTANCE). */
  readonly notify: NotifyConfig;
  /** `sync_group_tracking_weight`: members may keep weighted trackers (keepalived otherwise drops their weights). */
  readonly trackingWeight: boolean;
}

/** `global_defs { ... }`: the VRRP part. */
export interface GlobalDefs {
  /** `router_id`: names this host in logs and notifications (keepalived: the host name). */
  readonly routerId?: string;
  /** `vrrp_version` 2 or 3. Default 2 (IPv6 instances always use 3). */
  readonly vrrpVersion: 2 | 3;
  /** `vrrp_mcast_group4`. Default 224.0.0.18 (RFC 5798 §5.1.1.2). */
  readonly mcastGroup4: string;
  /** `vrrp_mcast_group6`. Default ff02::12 (RFC 5798 §5.1.2.2). */
  readonly mcastGroup6: string;
  /** `vrrp_garp_*` / `vrrp_gna_interval`: defaults for every instance. */
  readonly garp: GarpConfig;
  /** `vrrp_startup_delay` (s): wait this long before starting the instances. Default 0. */
  readonly startupDelayMs: number;
  /** `vrrp_strict`: RFC-strict mode (no_accept, no unicast, no authentication). Default off. */
  readonly strict: boolean;
  /** `vrrp_check_unicast_src`: unicast adverts must come from a configured peer. Default off. */
  readonly checkUnicastSource: boolean;
  /** `vrrp_lower_prio_no_advert`: default for the instances. Default off (on under vrrp_strict). */
  readonly lowerPrioNoAdvert: boolean;
  /** `vrrp_higher_prio_send_advert`: default for the instances. Default off. */
  readonly higherPrioSendAdvert: boolean;
  /** `vrrp_notify_priority_changes`: default for the instances' `notify_priority_changes`. Default off. */
  readonly notifyPriorityChanges: boolean;
  /** `enable_script_security`: refuse scripts a non-root user could change when they run as root. Default off. */
  readonly enableScriptSecurity: boolean;
  /** `script_user <user> [group]`: default user for scripts (keepalived: keepalived_script, else root). */
  readonly scriptUser?: string;
  /** `notify_fifo` / `vrrp_notify_fifo`: FIFO receiving `INSTANCE "VI_1" MASTER 100` lines. */
  readonly notifyFifo?: string;
  /** `notify_fifo_script` / `vrrp_notify_fifo_script`: run at start with the FIFO's path appended, to read it; stopped with vrrpd. */
  readonly notifyFifoScript?: string;
  /** `notify_fifo_script <script> USER [GROUP]`: who it runs as (else script_user). */
  readonly notifyFifoScriptUser?: string;
  /** `max_auto_priority` -1..99: highest realtime priority to raise to when timers run late; 0 = never, -1 = never and no warning. Default 0. */
  readonly maxAutoPriority: number;
  /** `bfd_rt_priority` 1..99: the BFD pacer thread under SCHED_RR at this priority (needs CAP_SYS_NICE); unset: none. */
  readonly bfdRtPriority?: number;
}

/** keepalived's name for a VMAC without one (`use_vmac` alone): vrrp.<VRID>. */
export function defaultVmacName(vrid: number): string {
  return `vrrp.${vrid}`;
}

export interface VrrpdConfig {
  readonly global: GlobalDefs;
  /** `vrrp_instance` blocks, in file order. */
  readonly instances: readonly VrrpInstanceConfig[];
  /** `vrrp_script` blocks. */
  readonly scripts: readonly TrackScriptConfig[];
  /** `track_file` blocks. */
  readonly trackFiles: readonly TrackFileConfig[];
  /** `vrrp_track_process` blocks. */
  readonly trackProcesses: readonly TrackProcessConfig[];
  /** `vrrp_sync_group` blocks. */
  readonly syncGroups: readonly SyncGroupConfig[];
  /** `garp_group` blocks, when there are any. */
  readonly garpGroups?: readonly GarpGroupConfig[];
  /** `virtual_server` blocks (keepalived's load balancer), in file order, when there are any. */
  readonly virtualServers?: readonly VirtualServerConfig[];
  /** `virtual_server_group` blocks, when there are any. */
  readonly virtualServerGroups?: readonly VirtualServerGroupConfig[];
  /** `bfd_instance` blocks, in file order; absent: none. */
  readonly bfdInstances?: readonly BfdInstanceConfig[];
}

/**
 * `bfd_instance <name> { ... }`: a BFD session (RFC 5880, asynchronous mode) to a neighbour, which
 * vrrp_instances and sync groups follow with `track_bfd`. Intervals keep keepalived's microsecond
 * resolution (`min_rx 3.312`).
 */
export interface BfdInstanceConfig {
  readonly name: string;
  /** `neighbor_ip` / `neighbour_ip`: the peer, canonical. */
  readonly neighborIp: string;
  /** `source_ip`: our address for the session (and its sending socket); absent: the kernel's choice. */
  readonly sourceIp?: string;
  /** The family of neighbor_ip (source_ip must match). */
  readonly family: AddressFamily;
  /** `min_rx` (ms): bfd.RequiredMinRxInterval. Default 10 ms. */
  readonly minRxMs: number;
  /** `min_tx` (ms): bfd.DesiredMinTxInterval while Up. Default 10 ms. */
  readonly minTxMs: number;
  /** `idle_tx` (ms, at least 1000): bfd.DesiredMinTxInterval while not Up (RFC 5880 §6.8.3). Default 1000 ms. */
  readonly idleTxMs: number;
  /** `multiplier` 1..255: bfd.DetectMult. Default 5. */
  readonly multiplier: number;
  /** `passive`: send nothing until the neighbour has spoken (RFC 5880 §6.1). */
  readonly passive: boolean;
  /**
   * `ttl` / `hoplimit` 1..255: the TTL or hop limit sent. Default 255 for both families, as RFC
   * 5881 §5 requires (keepalived 2.2 sends hop limit 64 over IPv6 unless told `hoplimit 255`).
   */
  readonly ttl: number;
  /** `max_hops` 0..255: how far below `ttl` a received TTL may be (255: no check). Default 0: exactly `ttl`. */
  readonly maxHops: number;
  /** `multihop` (keepalived 2.2.8): RFC 5883, UDP port 4784 instead of 3784. Default off. */
  readonly multihop: boolean;
  /** `weight N [reverse]` -253..253: what a track_bfd entry without its own applies. Default 0 (Down means Fault). */
  readonly weight: number;
  readonly reverse: boolean;
  /** `vrrp` / `checker`: which of keepalived's processes hear of state changes; neither written means both. */
  readonly notifies: { readonly vrrp: boolean; readonly checker: boolean };
}

/** `garp_group { ... }`: gratuitous ARP / NA pacing for interfaces that share a switch. */
export interface GarpGroupConfig {
  /** `garp_interval` (else vrrp_garp_interval). */
  readonly arpIntervalMs?: number;
  /** `gna_interval` (else vrrp_gna_interval). */
  readonly naIntervalMs?: number;
  /** `interface X` (its own pace) or `interfaces { ... }` (one pace across them all). */
  readonly interfaces: readonly string[];
}
