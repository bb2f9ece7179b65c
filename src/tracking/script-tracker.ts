// vrrp_script: runs the check every `interval`, never two runs at once. It turns failed after
// `fall` failures in a row and OK after `rise` successes in a row; the first result decides at
// once unless `init_fail` started it failed. A run is a script in a child process
// (process-runner.ts: a success when it exits 0 within `timeout`) or a built-in checker
// (checker-check.ts); either way it runs beside the event loop, so a hung check never delays
// the protocol.
import { INDEPENDENT_OF_PACKETS, type Clock, type ClockTimer, type TimerHandle } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { describeOutcome, type ProcessRunner, type RunOutcome } from '../scripting/process-runner.js';
import { Listeners, type Tracker } from './tracker.js';
import type { ScriptIdentity } from '../scripting/users.js';
import type { TrackerState } from './weights.js';

export interface ScriptSpec {
  readonly name: string;
  readonly intervalMs: number;
  readonly rise: number;
  readonly fall: number;
  readonly initFail: boolean;
  /** Why the script may not run at all (script security, unknown user); it counts as failed. */
  readonly refused?: string;
  /** A checker's `warmup`: the first run waits a random time up to this. */
  readonly warmupMs?: number;
  /** A checker's `log_all_failures`: a line for every failed run, not only for changes. */
  readonly logAllFailures?: boolean;
}

/** What one run said. */
export interface CheckOutcome {
  readonly success: boolean;
  /** For status and logs: "exit status 1", "connection refused". */
  readonly outcome: string;
  /** Why it failed, from a small fixed set (metrics label it): "exit-status", "timeout", "refused", ... */
  readonly reason?: string;
}

/** One run of a vrrp_script: aborting ends it at once (vrrpd stopping). */
export interface TrackCheck {
  run(signal: AbortSignal): Promise<CheckOutcome>;
  /**
   * As run, the outcome handed to `settled` (an error to `failed`) instead of through a promise:
   * a built-in check's result reaches the tracker one promise reaction sooner, with no promise made
   * for it (checker-check.ts). The tracker uses it when there is one.
   */
  start?(signal: AbortSignal, settled: (outcome: CheckOutcome) => void, failed: (error: unknown) => void): void;
  /**
   * Every listener run() adds to the signal is gone once its promise settles, so one signal may
   * serve all the runs of a tracker's life. Node makes an AbortSignal with a new hidden class each
   * time (and an EventTarget's map of listeners): a built-in check a second made two, ~5 % of its
   * main-thread CPU (perf; bench/RESULTS.md, "Built-in checkers", tenth sitting).
   */
  readonly releasesSignal?: boolean;
}

const PROCESS_REASONS: Record<RunOutcome['kind'], string> = { exited: 'exit-status', signalled: 'signalled', 'timed-out': 'timeout', 'failed-to-start': 'failed-to-start' };

/** A script run as a process: success is exit status 0 within `timeoutMs`. */
export function processCheck(runner: ProcessRunner, argv: readonly string[], identity: ScriptIdentity, timeoutMs: number): TrackCheck {
  return {
    run: (signal) =>
      runner
        .run({ argv, uid: identity.uid, gid: identity.gid, timeoutMs, signal })
        .catch((error: unknown): RunOutcome => ({ kind: 'failed-to-start', message: (error as Error).message }))
        .then((outcome) => {
          const success = outcome.kind === 'exited' && outcome.code === 0;
          return { success, outcome: describeOutcome(outcome), ...(success ? {} : { reason: PROCESS_REASONS[outcome.kind] }) };
        }),
  };
}

export class ScriptTracker implements Tracker {
  readonly kind = 'script' as const;
  readonly arithmetic = 'state' as const;
  private current: TrackerState;
  /** Results in a row that disagree with the current state. */
  private streak = 0;
  private running = false;
  /** Kills the run in progress when the tracker stops: the run's own, or with releasesSignal this start's. */
  private abort: AbortController | undefined;
  /** The interval timer, made at the first start and armed again at each tick. */
  private interval: ClockTimer | undefined;
  /** warmup's first wait. */
  private timer: TimerHandle | undefined;
  private stopped = true;
  private lastOutcome: string | undefined;
  private lastReason: string | undefined;
  private readonly listeners = new Listeners();
  private markKnown: () => void = () => undefined;
  /** Resolves once the state is known: the first result (a run ends by its timeout at the latest). */
  readonly known: Promise<void>;

  constructor(
    readonly spec: ScriptSpec,
    private readonly clock: Clock,
    private readonly check: TrackCheck,
    private readonly log: Logger,
    private readonly random: () => number = Math.random,
  ) {
    this.current = spec.initFail || spec.refused ? 'failed' : 'init';
    this.known = new Promise((resolve) => (this.markKnown = resolve));
    if (this.current !== 'init') this.markKnown();
  }

  get name(): string {
    return this.spec.name;
  }

  get state(): TrackerState {
    return this.current;
  }

  /** The last run's outcome, for status. */
  get detail(): string | undefined {
    return this.spec.refused ?? this.lastOutcome;
  }

  /** Why the last run failed (a fixed word), while it is failed. */
  get reason(): string | undefined {
    if (this.spec.refused) return 'refused-to-run';
    return this.current === 'failed' ? this.lastReason : undefined;
  }

  subscribe(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    // The last start's signal was aborted by stop().
    this.abort = undefined;
    if (this.spec.refused) {
      this.log.error({ event: 'script-refused', tracker: this.name, reason: this.spec.refused }, `vrrp_script ${this.name} will not run: ${this.spec.refused}; it counts as failed`);
      return;
    }
    const warmup = this.spec.warmupMs ?? 0;
    if (warmup > 0) this.timer = this.clock.setTimer(warmup * this.random(), () => this.tick(), INDEPENDENT_OF_PACKETS);
    else this.tick();
  }

  stop(): void {
    this.stopped = true;
    this.markKnown();
    this.timer?.cancel();
    this.timer = undefined;
    this.interval?.disarm();
    // A check still running (hung) must not outlive vrrpd.
    this.abort?.abort();
  }

  private tick(): void {
    if (this.stopped) return;
    this.timer = undefined;
    (this.interval ??= this.clock.createTimer(() => this.tick(), INDEPENDENT_OF_PACKETS)).arm(this.spec.intervalMs);
    // A run still going at the next interval is left to its timeout; no second copy starts.
    if (this.running) return;
    this.running = true;
    const abort = this.check.releasesSignal === true && this.abort !== undefined ? this.abort : new AbortController();
    this.abort = abort;
    // One reaction for either outcome rather than catch, then and finally: two promises and their
    // closures less per run.
    if (this.check.start) this.check.start(abort.signal, this.onResult, this.onRunError);
    else void this.check.run(abort.signal).then(this.onResult, this.onRunError);
  }

  private readonly onResult = (outcome: CheckOutcome): void => {
    try {
      this.record(outcome);
    } finally {
      this.running = false;
    }
  };

  private readonly onRunError = (error: unknown): void => {
    this.onResult({ success: false, outcome: `could not run: ${(error as Error).message}`, reason: 'failed-to-start' });
  };

  private record(result: CheckOutcome): void {
    if (this.stopped) return;
    this.lastOutcome = result.outcome;
    this.lastReason = result.reason;
    const success = result.success;
    if (!success && this.spec.logAllFailures && this.current === 'ok') {
      this.log.info({ event: 'check-failed', tracker: this.name, outcome: this.lastOutcome, reason: result.reason }, `vrrp_script ${this.name}: check failed (${this.lastOutcome})`);
    }
    if (this.current === 'init') {
      this.change(success ? 'ok' : 'failed');
      this.markKnown();
      return;
    }
    if (success === (this.current === 'ok')) {
      this.streak = 0;
      return;
    }
    this.streak++;
    if (this.streak >= (success ? this.spec.rise : this.spec.fall)) this.change(success ? 'ok' : 'failed');
  }

  private change(state: TrackerState): void {
    this.streak = 0;
    const from = this.current;
    this.current = state;
    const level = state === 'failed' ? 'warn' : 'info';
    this.log[level](
      { event: 'tracker-changed', tracker: this.name, kind: 'script', from, state, outcome: this.lastOutcome, ...(state === 'failed' && this.lastReason ? { reason: this.lastReason } : {}) },
      `vrrp_script ${this.name}: ${state === 'ok' ? 'OK' : 'failed'} (${this.lastOutcome})`,
    );
    this.listeners.notify();
  }
}
