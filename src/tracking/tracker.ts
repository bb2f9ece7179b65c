// A tracked object: a vrrp_script, a track_file, a vrrp_track_process or an interface (the kinds
// of registry.ts). One tracker serves every instance and sync group naming it (a script runs
// once, whoever tracks it); instances subscribe to its changes.
import type { TrackerKind, TrackerState } from './weights.js';

/** A link going up or down on the host. */
export interface LinkChange {
  readonly interfaceName: string;
  readonly up: boolean;
}

export interface Tracker {
  readonly name: string;
  readonly kind: TrackerKind;
  /**
   * How it changes a priority (weights.ts): by its state (a weight while OK or failed), or by its
   * value times the weight (track_file).
   */
  readonly arithmetic: 'state' | 'value';
  readonly state: TrackerState;
  /** track_file: the number read. */
  readonly value?: number;
  /** What the last check said (a script's exit status, a process count), for status. */
  readonly detail?: string | undefined;
  /** Calls `listener` after every change of state or value; returns the way to stop. */
  subscribe(listener: () => void): () => void;
  /** Looks once at what it tracks before the instances first use it (a file's number, the processes running). */
  initialise?(): Promise<void>;
  /** Resolves once its state is known (a vrrp_script's first result): keepalived starts instances only then. */
  readonly known?: Promise<void>;
  /** A link changed on the host (track_interface follows it). */
  linkChanged?(change: LinkChange): void;
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
