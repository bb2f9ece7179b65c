// What one virtual router needs to know to run the protocol; filled by the daemon from the
// validated configuration model (src/config), and directly by tests.
import type { AddressFamily } from '../../core/address.js';
import type { ChecksumFlavour, VrrpVersion } from '../packet/advertisement.js';

export interface AnnouncementConfig {
  /** Gratuitous ARPs / NAs sent per address on becoming Master (keepalived garp_master_repeat). */
  readonly masterRepeat: number;
  /** Delay of the second burst after becoming Master, 0 for none (garp_master_delay). */
  readonly masterDelayMs: number;
  /** Period of refresh bursts while Master, 0 for none (garp_master_refresh). */
  readonly masterRefreshMs: number;
  /** Announcements per refresh (garp_master_refresh_repeat). */
  readonly masterRefreshRepeat: number;
}

export interface VirtualRouterConfig {
  readonly name: string;
  readonly vrid: number;
  readonly version: VrrpVersion;
  readonly family: AddressFamily;
  /** Configured priority 1..255; 255 makes this router the address owner (RFC 5798 §5.2.4). */
  readonly priority: number;
  /** Advertisement_Interval (RFC 5798 §6.1). v2: whole seconds; v3: multiples of 10 ms. */
  readonly advertIntervalMs: number;
  /** Preempt_Mode (RFC 5798 §6.1); keepalived's nopreempt sets it false. */
  readonly preempt: boolean;
  /** keepalived preempt_delay: how long a lower-priority Master is tolerated before preempting. */
  readonly preemptDelayMs: number;
  /** keepalived `state MASTER`: with priority < 255 it only disables nopreempt and preempt_delay. */
  readonly initialState: 'BACKUP' | 'MASTER';
  /** The virtual addresses, canonical text, in the order they are advertised. */
  readonly virtualAddresses: readonly string[];
  /** Unicast peers; when non-empty, advertisements from anyone else are rejected. */
  readonly unicastPeers: readonly string[];
  /** VRRPv2 simple password authentication (RFC 3768 §5.3.6). */
  readonly authentication?: { readonly password: string };
  /** keepalived lower_prio_no_advert: a Master keeps quiet on hearing a lower priority (as the RFC). */
  readonly lowerPrioNoAdvert: boolean;
  /** keepalived higher_prio_send_advert: a Master advertises once more before yielding. */
  readonly higherPrioSendAdvert: boolean;
  /**
   * RFC 5798 §8.4.2 interoperation, for migrating from VRRPv2 (VRRPv3 over IPv4 only): listen
   * for and send both versions. Off by default, as in keepalived, which runs one version only.
   */
  readonly v2Interop?: boolean;
  /** Checksum flavour sent for VRRPv3 over IPv4 (both are accepted). */
  readonly checksumFlavour: ChecksumFlavour;
  readonly announcements: AnnouncementConfig;
}

export const KEEPALIVED_ANNOUNCEMENTS: AnnouncementConfig = {
  masterRepeat: 5,
  masterDelayMs: 5000,
  masterRefreshMs: 0,
  masterRefreshRepeat: 1,
};
