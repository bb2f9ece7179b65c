// A tracked object: a vrrp_script, a track_file, a vrrp_track_process or an interface. One
// tracker serves every instance and sync group naming it (a script runs once, whoever tracks it);
// instances subscribe to its changes.
import type { TrackerKind, TrackerState } from './weights.js';

export interface Tracker {
  readonly name: string;
  readonly kind: TrackerKind;
  readonly state: TrackerState;
  /** track_file: the number read. */
  readonly value?: number;
  /** What the last check said (a script's exit status, a process count), for status. */
  readonly detail?: string | undefined;
  /** Calls `listener` after every change of state or value; returns the way to stop. */
  subscribe(listener: () => void): () => void;
  start(): void;
  stop(): void;
}

/** Listener bookkeeping shared by the trackers. */
export class Listeners {
  private readonly listeners: Array<() => void> = [];

  add(listener: () => void): () => void {
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index >= 0) this.listeners.splice(index, 1);
    };
  }

  notify(): void {
    for (const listener of this.listeners) listener();
  }
}
