// What the daemon's main thread and the checkers' worker (worker.ts) say to each other: a checker's
// spec once, then one run of a check each way, and an abort.
import type { CheckResult } from '../../checkers/checker.js';
import type { CheckSpec } from '../../checkers/spec.js';

export type CheckRequest =
  /** A checker's spec, before its first run in this worker. */
  | { readonly type: 'add'; readonly checker: number; readonly spec: CheckSpec }
  /** `checker`: which checker this run is of (its ICMP sequence numbers go on); `retry`: this run's, as Checker.run's. */
  | { readonly type: 'run'; readonly id: number; readonly checker: number; readonly retry?: number }
  | { readonly type: 'abort'; readonly id: number }
  /** The checker will run no more: its state in the worker goes. */
  | { readonly type: 'forget'; readonly checker: number };

export type CheckReport =
  | { readonly type: 'result'; readonly id: number; readonly result: CheckResult }
  /** The run could not start: the worker has no spec for its checker. */
  | { readonly type: 'error'; readonly id: number; readonly message: string };
