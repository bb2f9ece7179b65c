// The kinds of tracked object an instance or a sync group can name: track_script, track_file,
// track_process and track_interface (builtin-types.ts), and whatever another subsystem adds (BFD's
// track_bfd, a built-in checker). Each kind says where the references are, what a reference names
// and how to build its tracker; the supervisor builds and shares trackers through this alone, so a
// new kind is a new entry here, not a new branch in the supervisor.
import type { SyncGroupConfig, VrrpInstanceConfig } from '../config/model.js';
import type { Tracker } from './tracker.js';
import type { TrackerKind } from './weights.js';

/** One line of a track_* block: `NAME [weight N] [reverse|noreverse]`. */
export interface TrackerReference {
  readonly name: string;
  /** Absent: the definition's weight. */
  readonly weight?: number;
  /** Absent: the definition's reverse. */
  readonly reverse?: boolean;
}

/** What a reference names: the definition, ready to build its tracker. */
export interface TrackerDefinition {
  /**
   * What the tracker is, compared by value (core/equal.ts) on reload: equal, the running tracker
   * carries on with its state (a failing check stays failed, so nothing moves); different, a new one starts.
   */
  readonly identity: unknown;
  /** The weight and reverse a reference without its own gets. */
  readonly weight: number;
  readonly reverse: boolean;
  create(host: TrackerHost): Tracker | Promise<Tracker>;
}

/** What building a tracker may ask of the host. */
export interface TrackerHost {
  /** An interface's link state now (track_interface starts from it). */
  interfaceUp(interfaceName: string): Promise<boolean>;
}

export interface TrackerType {
  readonly kind: TrackerKind;
  /** The references of an instance or a sync group to trackers of this kind (its track_* block). */
  references(source: VrrpInstanceConfig | SyncGroupConfig): readonly TrackerReference[];
  /** The definition a reference names; undefined when there is none (validation reports that). */
  lookup(name: string): TrackerDefinition | undefined;
}
