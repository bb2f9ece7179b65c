// States of one virtual router: RFC 5798 §6.4's Initialize, Backup and Master, plus keepalived's
// Fault (interface down or a tracked object failed; the router neither sends nor holds addresses).

export type RouterState = 'Initialize' | 'Backup' | 'Master' | 'Fault';

/** Why a transition happened, for the operator's log line and `vrrpd status`. */
export type TransitionReason =
  | 'startup' //                 Initialize → Backup (RFC 5798 §6.4.1)
  | 'address-owner' //           Initialize → Master at priority 255 (RFC 5798 §6.4.1)
  | 'master-down' //             no advertisement for Master_Down_Interval (RFC 5798 §6.4.2)
  | 'preempt' //                 a lower-priority Master was ignored until the timer ran out
  | 'master-released' //         a priority-0 advertisement, then Skew_Time (RFC 5798 §6.4.2)
  | 'higher-priority' //         a Master heard a higher priority (RFC 5798 §6.4.3)
  | 'equal-priority-higher-address' // tie broken by the primary address (RFC 5798 §6.4.3)
  | 'fault' //                   interface down or tracked object failed (keepalived)
  | 'fault-cleared' //           back from Fault, as at startup
  | 'shutdown' //                stopped by the operator (RFC 5798 §6.4.2, §6.4.3)
  | 'deleted' //                 stopped because a reload removed it (as shutdown on the wire)
  | 'sync-group'; //             followed another member of its vrrp_sync_group (keepalived)
