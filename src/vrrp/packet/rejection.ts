// Why a received advertisement was not acted on. Each reason is one counter per virtual router
// (keepalived's per-instance statistics, plus the few it folds together or does not count).

export const REJECT_REASONS = [
  'too-short', //          shorter than the fixed header (keepalived: packet length error)
  'address-count', //      Count IPvX Addr does not fit the length (keepalived: packet length error)
  'version', //            not the configured VRRP version (RFC 5798 §7.1)
  'type', //               Type is not 1, ADVERTISEMENT (keepalived: invalid type)
  'vrid', //               VRID 0, or no virtual router with this VRID here
  'checksum', //           checksum does not verify (RFC 5798 §7.1)
  'ttl', //                TTL / Hop Limit is not 255 (RFC 5798 §7.1; keepalived: TTL error)
  'auth-type-invalid', //  v2 Auth Type other than 0, 1, 2 (keepalived: invalid auth type)
  'auth-type-mismatch', // v2 Auth Type differs from ours (RFC 3768 §7.1)
  'auth-failure', //       v2 simple password differs (RFC 3768 §7.1)
  'advert-interval', //    v2 Adver Int differs from ours (RFC 3768 §7.1; v3 adopts instead)
  'unicast-source', //     unicast mode and the sender is not a configured peer
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number];

/** A refusal with the reason to count and a sentence for the operator's log. */
export interface Rejection {
  readonly reason: RejectReason;
  readonly detail: string;
}
