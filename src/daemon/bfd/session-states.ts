// Whether each bfd_instance counts as up for VRRP's track_bfd, as keepalived's BFD process tells
// its VRRP process: up when the session enters Up; down when it leaves Up, unless the neighbour
// said AdminDown (RFC 5882 §3.2: an administrative shutdown is not a path failure, and keepalived
// sends no event then) or we took it down ourselves (a reload removing it, vrrpd stopping). A
// session vrrpd has not seen Up is down. The BFD subsystem writes here, the trackers read; both
// are given the same object by `vrrpd run`, and it outlives reloads.
import type { StateChange } from '../../bfd/session.js';
import { diagnosticText } from '../../bfd/packet.js';

export interface SessionVerdict {
  readonly up: boolean;
  /** Why, for status: "Up", "Down: Control Detection Time Expired", "Up (the neighbour is AdminDown)". */
  readonly detail: string;
}

const NEVER_UP: SessionVerdict = { up: false, detail: 'not Up yet' };

export class BfdSessionStates {
  private readonly verdicts = new Map<string, SessionVerdict>();
  private readonly listeners = new Map<string, Set<() => void>>();

  get(session: string): SessionVerdict {
    return this.verdicts.get(session) ?? NEVER_UP;
  }

  /** Whether the session has given a verdict yet (it has been Up since vrrpd started it). */
  has(session: string): boolean {
    return this.verdicts.has(session);
  }

  /** A state change of a session; listeners hear of it when the verdict changes. */
  changed(session: string, change: StateChange): void {
    const previous = this.get(session);
    let next: SessionVerdict | undefined;
    if (change.to === 'Up') next = { up: true, detail: 'Up' };
    else if (change.from === 'Up' && change.to === 'Down' && change.remoteState !== 'AdminDown') next = { up: false, detail: `Down: ${diagnosticText(change.diag)}` };
    else if (change.from === 'Up' && change.to === 'Down') next = { up: true, detail: 'Down, the neighbour is AdminDown (RFC 5882 §3.2: not a failure)' };
    if (!next || (next.up === previous.up && next.detail === previous.detail)) return;
    this.verdicts.set(session, next);
    for (const listener of this.listeners.get(session) ?? []) listener();
  }

  /** Sessions no longer configured are forgotten (a later session of that name starts down). */
  keepOnly(sessions: readonly string[]): void {
    const kept = new Set(sessions);
    for (const name of [...this.verdicts.keys()]) if (!kept.has(name)) this.verdicts.delete(name);
  }

  subscribe(session: string, listener: () => void): () => void {
    const set = this.listeners.get(session) ?? new Set();
    this.listeners.set(session, set);
    set.add(listener);
    return () => set.delete(listener);
  }
}
