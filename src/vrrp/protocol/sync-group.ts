// keepalived's vrrp_sync_group: instances that change state together, so that, for example, the
// router holding the outside VIP also holds the inside one. Not part of the RFCs. The rules, as
// keepalived applies them:
// - a member in Fault (from its own interface or tracking) puts every member in Fault, until no
//   member has a fault of its own;
// - a member becoming Master takes the Backup members to Master at once; a member goes Master on
//   its own only when every other member could too (Master already, or its Master_Down_Timer ran
//   out as well), so one member hearing a live Master keeps the whole group in Backup;
// - a Master member dropping to Backup takes the other Masters to Backup.
import type { RouterState, TransitionReason } from './state.js';
import type { SyncGroupLink, VirtualRouter } from './virtual-router.js';

export class SyncGroup implements SyncGroupLink {
  /** Set while the group itself moves members, so their transitions are not echoed back. */
  private moving = false;

  constructor(
    readonly name: string,
    readonly members: readonly VirtualRouter[],
  ) {
    for (const member of members) member.joinSyncGroup(this);
  }

  /** A summary for status and tests: Fault if any member is, else Master if any is, else Backup. */
  get state(): RouterState {
    const states = this.members.map((member) => member.state);
    if (states.includes('Fault')) return 'Fault';
    if (states.includes('Master')) return 'Master';
    if (states.includes('Backup')) return 'Backup';
    return 'Initialize';
  }

  mayBecomeMaster(member: VirtualRouter): boolean {
    return this.members.every((other) => other === member || other.state === 'Master' || (other.state === 'Backup' && other.waitingForSyncGroup));
  }

  memberTransitioned(member: VirtualRouter, from: RouterState, to: RouterState, reason: TransitionReason): void {
    if (this.moving || reason === 'sync-group') return;
    this.moving = true;
    try {
      for (const other of this.members) {
        if (other === member) continue;
        if (to === 'Master') other.syncToMaster();
        else if (from === 'Master' && to === 'Backup') other.syncToBackup();
      }
    } finally {
      this.moving = false;
    }
  }

  memberFaultsChanged(): void {
    if (this.moving) return;
    this.moving = true;
    try {
      const faulty = this.members.filter((candidate) => candidate.hasOwnFault);
      const detail = faulty.length > 0 ? `sync group ${this.name}: ${faulty.map((m) => m.config.name).join(', ')} in Fault` : `sync group ${this.name}: no member in Fault`;
      for (const other of this.members) {
        // A member with a fault of its own also carries the group's, so it stays in Fault while
        // another member does even after its own fault clears.
        other.setFault(faulty.some((m) => m !== other), detail, 'sync-group');
      }
    } finally {
      this.moving = false;
    }
  }
}
