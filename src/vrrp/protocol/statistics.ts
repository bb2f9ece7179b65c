// Per-router counters: keepalived's per-instance statistics (SIGUSR2 dump) plus what vrrpd adds
// (checksum flavours seen, each rejection reason on its own).
import type { ChecksumFlavour } from '../packet/advertisement.js';
import { REJECT_REASONS, type RejectReason } from '../packet/rejection.js';

export interface RouterStatistics {
  advertisementsReceived: number;
  advertisementsSent: number;
  becameMaster: number;
  releasedMaster: number;
  priorityZeroReceived: number;
  priorityZeroSent: number;
  /** State changes of any kind (vrrpd's metric; keepalived counts only Master ones). */
  transitions: number;
  /** Gratuitous ARPs / unsolicited NAs asked for: one per address per repetition. */
  announcementsSent: number;
  /** Accepted advertisements whose address list differs from ours (RFC 9568 §7.1: log, accept). */
  addressListMismatches: number;
  rejected: Record<RejectReason, number>;
  checksumFlavours: Record<ChecksumFlavour, number>;
}

export function newStatistics(): RouterStatistics {
  const rejected = Object.fromEntries(REJECT_REASONS.map((reason) => [reason, 0])) as Record<RejectReason, number>;
  return {
    advertisementsReceived: 0,
    advertisementsSent: 0,
    becameMaster: 0,
    releasedMaster: 0,
    priorityZeroReceived: 0,
    priorityZeroSent: 0,
    transitions: 0,
    announcementsSent: 0,
    addressListMismatches: 0,
    rejected,
    checksumFlavours: { 'pseudo-header': 0, 'message-only': 0 },
  };
}
