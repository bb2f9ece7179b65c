// How tracked objects change an instance, as keepalived computes it (vrrp_track): a tracker with
// weight 0 puts the instance in Fault while it fails; a positive weight is added while it is OK,
// a negative one subtracted while it fails; `reverse` turns the adjustment round (weight 0: Fault
// while OK). A track_file adds its value times its weight (weight 0: any non-zero value is a
// Fault), and a total of -254 or less from one file is a Fault too. The sum is applied to the base
// priority and clamped to 1..254 (protocol/priority.ts). Every case is checked against keepalived
// 2.2.7's advertised priorities in test/linux/tracking.test.ts.
import { effectivePriority } from '../vrrp/protocol/priority.js';

/** What a tracker tracks, as status, logs and metrics name it: script, file, process, interface, ... (registry.ts). */
export type TrackerKind = string;

/** What a tracker reports now: `init` until a vrrp_script has its first result. */
export type TrackerState = 'ok' | 'failed' | 'init';

export interface TrackerReading {
  readonly name: string;
  readonly kind: TrackerKind;
  /** By state, or value times weight (track_file). */
  readonly arithmetic: 'state' | 'value';
  /** The weight that applies (the instance's entry, else the definition's). */
  readonly weight: number;
  readonly reverse: boolean;
  readonly state: TrackerState;
  /** A track_file's number. */
  readonly value?: number;
  readonly detail?: string;
}

/** One tracker as `vrrpd status` shows it. */
export interface TrackerContribution {
  readonly name: string;
  readonly kind: TrackerKind;
  readonly state: TrackerState;
  /** The weight that applies (the instance's entry, else the definition's). */
  readonly weight: number;
  /** An address owner or a sync group member without sync_group_tracking_weight: keepalived ignores a weighted tracker there. */
  readonly ignored?: boolean;
  readonly reverse: boolean;
  /** What it adds to the priority now (negative: subtracts). */
  readonly applied: number;
  /** It holds the instance in Fault. */
  readonly fault: boolean;
  readonly value?: number;
  /** The last check's outcome ("exit status 1", "3 running"). */
  readonly detail?: string;
}

export interface TrackingOutcome {
  readonly contributions: readonly TrackerContribution[];
  /** Why the instance is in Fault, one line per tracker; empty when it is not. */
  readonly faults: readonly string[];
  readonly priority: number;
}

/** keepalived: a track_file contribution this low means Fault. */
const FILE_FAULT_AT = -254;

/**
 * `weightsApply` is false for address owners and for sync group members without
 * sync_group_tracking_weight: keepalived 2.2.7 then ignores every tracker with a weight (neither
 * added nor a Fault, checked against it in test/linux/tracking.test.ts); weight-0 trackers still
 * mean Fault.
 */
export function evaluateTracking(basePriority: number, readings: readonly TrackerReading[], weightsApply: boolean): TrackingOutcome {
  const contributions = readings.map((reading) => contribution(reading, weightsApply));
  const faults = contributions.filter((c) => c.fault).map((c) => `${c.kind} ${c.name} ${c.value !== undefined ? `value ${c.value}` : c.state}`);
  return {
    contributions,
    faults,
    priority: effectivePriority(basePriority, contributions.map((c) => c.applied)),
  };
}

function contribution(reading: TrackerReading, weightsApply: boolean): TrackerContribution {
  const weight = reading.weight;
  const base = { name: reading.name, kind: reading.kind, state: reading.state, weight, reverse: reading.reverse, ...(reading.detail !== undefined ? { detail: reading.detail } : {}) };
  if (!weightsApply && weight !== 0) return { ...base, ...(reading.value !== undefined ? { value: reading.value } : {}), applied: 0, fault: false, ignored: true };
  if (reading.arithmetic === 'value') {
    const value = reading.value ?? 0;
    if (weight === 0) {
      const fault = reading.reverse ? value === 0 : value !== 0;
      return { ...base, state: fault ? 'failed' : 'ok', applied: 0, fault, value };
    }
    const applied = value * weight * (reading.reverse ? -1 : 1);
    const fault = applied <= FILE_FAULT_AT;
    return { ...base, state: applied < 0 ? 'failed' : 'ok', applied: fault ? 0 : applied, fault, value };
  }
  // A vrrp_script before its first result neither adds, subtracts nor faults.
  if (reading.state === 'init') return { ...base, applied: 0, fault: false };
  const ok = reading.state === 'ok';
  if (weight === 0) return { ...base, applied: 0, fault: reading.reverse ? ok : !ok };
  const signed = reading.reverse ? -weight : weight;
  const applied = (weight > 0 && ok) || (weight < 0 && !ok) ? signed : 0;
  return { ...base, applied, fault: false };
}
