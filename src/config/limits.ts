// The bounds validation enforces, each with where it comes from.

export interface Range {
  readonly min: number;
  readonly max: number;
}

/** RFC 3768 §5.3.3, RFC 5798 §5.2.3: VRID 1..255. */
export const VRID_RANGE: Range = { min: 1, max: 255 };
/** RFC 3768 §5.3.4, RFC 5798 §5.2.4: 255 is the address owner, 0 is only sent to resign. */
export const PRIORITY_RANGE: Range = { min: 1, max: 255 };
export const OWNER_PRIORITY = 255;

/** RFC 3768 §5.3.7: 8 bits of whole seconds. */
export const V2_ADVERT_INTERVAL_MS = { min: 1000, max: 255_000, step: 1000 } as const;
/** RFC 5798 §5.2.7: 12 bits of centiseconds. */
export const V3_ADVERT_INTERVAL_MS = { min: 10, max: 40_950, step: 10 } as const;

/** keepalived: preempt_delay 0..1000 s. */
export const MAX_PREEMPT_DELAY_MS = 1_000_000;
/** RFC 3768 §5.3.10 (RFC 2338 simple text authentication): 8 octets of password. */
export const MAX_PASSWORD_LENGTH = 8;
/** RFC 3768 §5.3.5, RFC 5798 §5.2.5: the address count is 8 bits. */
export const MAX_ADDRESSES_PER_ADVERT = 255;
/**
 * IPv6 addresses fitting one advertisement on a 1500-byte MTU: (1500 - 40 IPv6 header - 8 VRRP
 * header) / 16. keepalived moves the excess to the excluded list; IPv4 always fits 255.
 */
export const MAX_IPV6_ADDRESSES_AT_1500_MTU = 90;

/** keepalived: track_interface and track_script weights. */
export const MAX_INTERFACE_SCRIPT_WEIGHT = 253;
/** keepalived: track_file / track_process entries and vrrp_track_process weights. */
export const MAX_FILE_PROCESS_WEIGHT = 254;
/** keepalived: a track_file block's own weight is a C int. */
export const MAX_TRACK_FILE_WEIGHT = 2_147_483_647;

/** keepalived: vrrp_track_process quorum 1..65535, quorum_max 0..65535, delays up to 3600 s. */
export const PROCESS_QUORUM_RANGE: Range = { min: 1, max: 65_535 };
export const PROCESS_QUORUM_MAX_RANGE: Range = { min: 0, max: 65_535 };
export const MAX_PROCESS_DELAY_MS = 3_600_000;

/** keepalived (bfd.h): min_rx / min_tx from 1 ms, idle_tx from 1 s (RFC 5880 §6.8.3), all below 2^32 µs. */
export const BFD_MIN_INTERVAL_MS = 1;
export const BFD_MIN_IDLE_TX_MS = 1000;
export const BFD_MAX_INTERVAL_MS = Math.floor(0xffffffff / 1000);
/** keepalived warns above 10 s: "larger than max sensible". */
export const BFD_MAX_SENSIBLE_INTERVAL_MS = 10_000;
/** keepalived: multiplier 1..255 (the Detect Mult field is 8 bits). */
export const BFD_MULTIPLIER_RANGE: Range = { min: 1, max: 255 };
/** keepalived: bfd_instance and track_bfd weights -253..253. */
export const MAX_BFD_WEIGHT = 253;
/** keepalived: a bfd_instance name is at most 31 characters (BFD_INAME_MAX 32 with the NUL). */
export const MAX_BFD_NAME_LENGTH = 31;
/** keepalived: ttl / hoplimit 1..255, max_hops 0..255 (255: no check). */
export const BFD_TTL_RANGE: Range = { min: 1, max: 255 };
export const BFD_MAX_HOPS_RANGE: Range = { min: 0, max: 255 };

/** IPv4 TTL / IPv6 hop limit. */
export const TTL_RANGE: Range = { min: 0, max: 255 };
/** keepalived: max_auto_priority -1..99 (99 = SCHED_RR's highest). */
export const AUTO_PRIORITY_RANGE: Range = { min: -1, max: 99 };
/** keepalived: debug 0..4. */
export const DEBUG_LEVEL_RANGE: Range = { min: 0, max: 4 };
/** Linux IFNAMSIZ is 16 bytes with the terminating NUL. */
export const MAX_INTERFACE_NAME_LENGTH = 15;

export function isIntegerIn(value: number, range: Range): boolean {
  return Number.isInteger(value) && value >= range.min && value <= range.max;
}
