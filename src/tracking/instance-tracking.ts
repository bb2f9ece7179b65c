// The trackers of one instance (its own and its sync group's), turned into what the protocol core
// takes: Fault (source 'tracking') and an effective priority (weights.ts).
import type { Logger } from '../core/log.js';
import type { VirtualRouter } from '../vrrp/protocol/virtual-router.js';
import type { Tracker } from './tracker.js';
import { evaluateTracking, type TrackerReading, type TrackingOutcome } from './weights.js';

export interface TrackedEntry {
  readonly tracker: Tracker;
  readonly weight: number;
  readonly reverse: boolean;
}

export class InstanceTracking {
  private outcome: TrackingOutcome | undefined;
  private readonly unsubscribe: Array<() => void>;

  constructor(
    private readonly router: VirtualRouter,
    private readonly entries: readonly TrackedEntry[],
    private readonly weightsApply: boolean,
    private readonly basePriority: () => number,
    private readonly log?: Logger,
  ) {
    this.unsubscribe = entries.map((entry) => entry.tracker.subscribe(() => this.apply()));
  }

  /** Stops following the trackers (a reload hands them to the new configuration's tracking). */
  detach(): void {
    for (const stop of this.unsubscribe) stop();
  }

  evaluate(): TrackingOutcome {
    const readings: TrackerReading[] = this.entries.map(({ tracker, weight, reverse }) => ({
      name: tracker.name,
      kind: tracker.kind,
      arithmetic: tracker.arithmetic,
      weight,
      reverse,
      state: tracker.state,
      ...(tracker.value !== undefined ? { value: tracker.value } : {}),
      ...(tracker.detail !== undefined ? { detail: tracker.detail } : {}),
    }));
    return evaluateTracking(this.basePriority(), readings, this.weightsApply);
  }

  /** Recomputes and hands Fault and priority to the router. */
  apply(): TrackingOutcome {
    const outcome = this.evaluate();
    const previous = this.outcome;
    this.outcome = outcome;
    // One line when tracking moves the priority, with the arithmetic (operators find it confusing).
    if (previous && previous.priority !== outcome.priority && this.log) {
      const base = this.basePriority();
      const terms = outcome.contributions.filter((c) => c.applied !== 0).map((c) => `${c.kind} ${c.name} ${c.applied > 0 ? '+' : ''}${c.applied}`);
      this.log.info(
        { event: 'priority-changed', instance: this.router.config.name, from: previous.priority, priority: outcome.priority, base, contributions: terms },
        `${this.router.config.name}: effective priority ${previous.priority} -> ${outcome.priority} (base ${base}${terms.length > 0 ? `, ${terms.join(', ')}` : ''})`,
      );
    }
    this.router.setFault(outcome.faults.length > 0, outcome.faults.length > 0 ? `tracking: ${outcome.faults.join(', ')}` : 'tracking: no tracker holds it in Fault', 'tracking');
    this.router.setPriority(outcome.priority);
    return outcome;
  }

  get current(): TrackingOutcome {
    return this.outcome ?? this.evaluate();
  }
}
