// The one configuration model. The keepalived.conf and YAML loaders fill it; validate.ts checks it;
// the daemon maps it onto protocol state machines. Times are milliseconds here, whatever unit the
// source format uses (keepalived writes seconds).
import type { AddressFamily } from '../packet/address.js';

/** keepalived virtual_ipaddress entry: `<addr>/<prefix> [brd X] [dev X] [scope X] [label X] [no_dad]`. */
export interface VirtualAddressConfig {
  readonly address: string;
  readonly prefixLength: number;
  readonly family: AddressFamily;
  /** Another interface than the instance's (keepalived `dev`). */
  readonly device?: string;
  readonly label?: string;
  readonly scope?: string;
  readonly broadcast?: string;
}

/** keepalived unicast_peer entry: `<addr> [min_ttl N] [max_ttl N]`. */
export interface UnicastPeerConfig {
  readonly address: string;
  readonly minTtl?: number;
  readonly maxTtl?: number;
}

/** Gratuitous ARP / NA timing (keepalived garp_* per instance, vrrp_garp_* globally). */
export interface GarpConfig {
  /** garp_master_delay: second burst after becoming Master (0 = none). Default 5 s. */
  readonly masterDelayMs: number;
  /** garp_master_repeat: announcements per burst. Default 5. */
  readonly masterRepeat: number;
  /** garp_master_refresh: periodic burst while Master (0 = off). Default off. */
  readonly masterRefreshMs: number;
  /** garp_master_refresh_repeat. Default 1. */
  readonly masterRefreshRepeat: number;
  /** vrrp_garp_interval / garp_interval: spacing of gratuitous ARPs. Default 0. */
  readonly arpIntervalMs: number;
  /** vrrp_gna_interval / gna_interval: spacing of unsolicited NAs. Default 0. */
  readonly naIntervalMs: number;
}

export interface TrackedInterfaceConfig {
  readonly name: string;
  /** 0: the instance goes to Fault when the interface is down; otherwise added while it is up (negative subtracted while down). */
  readonly weight: number;
}

export interface TrackedScriptRefConfig {
  readonly name: string;
  /** Overrides the script's own weight (keepalived `track_script { name weight N [reverse] }`). */
  readonly weight?: number;
  readonly reverse: boolean;
}

export interface NotifyConfig {
  readonly master?: string;
  readonly backup?: string;
  readonly fault?: string;
  readonly stop?: string;
  /** keepalived `notify`: called with INSTANCE|GROUP, name, state, priority. */
  readonly any?: string;
}

export interface VrrpInstanceConfig {
  readonly name: string;
  /** keepalived `interface`. */
  readonly interface: string;
  /** keepalived `virtual_router_id`, 1..255. */
  readonly virtualRouterId: number;
  /** keepalived `version` (else global vrrp_version), 2 or 3. */
  readonly version: 2 | 3;
  /** From the virtual addresses; one instance serves one family (RFC 5798 §1). */
  readonly family: AddressFamily;
  /** keepalived `priority`, 1..255 (255: address owner). Default 100. */
  readonly priority: number;
  /** keepalived `advert_int` (seconds, fractions in v3). Default 1 s. */
  readonly advertIntervalMs: number;
  /** keepalived `state`: only a hint (see protocol/config.ts). */
  readonly initialState: 'BACKUP' | 'MASTER';
  /** false with keepalived `nopreempt`. */
  readonly preempt: boolean;
  /** keepalived `preempt_delay` (seconds, 0..1000). */
  readonly preemptDelayMs: number;
  /** keepalived `accept` / `no_accept`; default accept unless vrrp_strict. */
  readonly acceptMode: boolean;
  /** keepalived `unicast_src_ip`. */
  readonly unicastSourceIp?: string;
  /** keepalived `unicast_peer { ... }`; empty means multicast. */
  readonly unicastPeers: readonly UnicastPeerConfig[];
  /** keepalived `mcast_src_ip`: source of multicast adverts. */
  readonly multicastSourceIp?: string;
  /** keepalived `authentication { auth_type PASS auth_pass X }` (VRRPv2 only). */
  readonly authentication?: { readonly type: 'PASS'; readonly password: string };
  readonly virtualAddresses: readonly VirtualAddressConfig[];
  /** keepalived `virtual_ipaddress_excluded`: installed as Master, not advertised. */
  readonly excludedAddresses: readonly VirtualAddressConfig[];
  readonly trackInterfaces: readonly TrackedInterfaceConfig[];
  readonly trackScripts: readonly TrackedScriptRefConfig[];
  /** keepalived `dont_track_primary`: ignore the instance's own interface going down. */
  readonly dontTrackPrimary: boolean;
  readonly garp: GarpConfig;
  readonly lowerPrioNoAdvert: boolean;
  readonly higherPrioSendAdvert: boolean;
  /** keepalived `use_vmac [name]`. */
  readonly useVmac?: { readonly name?: string };
  /** false with keepalived `v3_checksum_as_v2` (RFC 9568 style, no IPv4 pseudo-header). */
  readonly v3ChecksumWithPseudoHeader: boolean;
  /** RFC 5798 §8.4.2 VRRPv2 interoperation (vrrpd; not in keepalived). */
  readonly v2Interop: boolean;
  readonly notify: NotifyConfig;
}

export interface TrackScriptConfig {
  readonly name: string;
  /** keepalived `script`: the command line. */
  readonly script: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly weight: number;
  readonly reverse: boolean;
  readonly rise: number;
  readonly fall: number;
  readonly user?: string;
  readonly initFail: boolean;
}

export interface SyncGroupConfig {
  readonly name: string;
  readonly members: readonly string[];
  readonly trackScripts: readonly TrackedScriptRefConfig[];
  readonly trackInterfaces: readonly TrackedInterfaceConfig[];
  readonly notify: NotifyConfig;
  /** keepalived sync_group_tracking_weight. */
  readonly trackingWeight: boolean;
}

export interface GlobalDefs {
  readonly routerId?: string;
  readonly vrrpVersion: 2 | 3;
  readonly mcastGroup4: string;
  readonly mcastGroup6: string;
  readonly garp: GarpConfig;
  /** vrrp_startup_delay. */
  readonly startupDelayMs: number;
  /** vrrp_strict. */
  readonly strict: boolean;
  /** vrrp_check_unicast_src (vrrpd always checks; kept for reporting). */
  readonly checkUnicastSource: boolean;
  readonly lowerPrioNoAdvert: boolean;
  readonly higherPrioSendAdvert: boolean;
  readonly enableScriptSecurity: boolean;
  readonly scriptUser?: string;
  readonly notifyFifo?: string;
}

export interface VrrpdConfig {
  readonly global: GlobalDefs;
  readonly instances: readonly VrrpInstanceConfig[];
  readonly scripts: readonly TrackScriptConfig[];
  readonly syncGroups: readonly SyncGroupConfig[];
}

export const DEFAULT_GARP: GarpConfig = {
  masterDelayMs: 5000,
  masterRepeat: 5,
  masterRefreshMs: 0,
  masterRefreshRepeat: 1,
  arpIntervalMs: 0,
  naIntervalMs: 0,
};

export const DEFAULT_GLOBAL: GlobalDefs = {
  vrrpVersion: 2,
  mcastGroup4: '224.0.0.18',
  mcastGroup6: 'ff02::12',
  garp: DEFAULT_GARP,
  startupDelayMs: 0,
  strict: false,
  checkUnicastSource: false,
  lowerPrioNoAdvert: false,
  higherPrioSendAdvert: false,
  enableScriptSecurity: false,
};

/** keepalived's defaults for a vrrp_instance, before its own keywords apply. */
export const DEFAULT_PRIORITY = 100;
export const DEFAULT_ADVERT_INTERVAL_MS = 1000;
