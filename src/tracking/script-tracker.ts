// vrrp_script: runs the check every `interval`, never two runs at once; a run is a success when it
// exits 0 within `timeout`. It turns failed after `fall` failures in a row and OK after `rise`
// successes in a row; the first result decides at once unless `init_fail` started it failed.
// Runs happen in child processes (process-runner.ts), so a hung script never delays the protocol.
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { describeOutcome, type ProcessRunner, type RunOutcome } from '../scripting/process-runner.js';
import { Listeners, type Tracker } from './tracker.js';
import type { ScriptIdentity } from '../scripting/users.js';
import type { TrackerState } from './weights.js';

export interface ScriptSpec {
  readonly name: string;
  readonly argv: readonly string[];
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly rise: number;
  readonly fall: number;
  readonly initFail: boolean;
  readonly identity: ScriptIdentity;
  /** Why the script may not run at all (script security, unknown user); it counts as failed. */
  readonly refused?: string;
}

export class ScriptTracker implements Tracker {
  readonly kind = 'script' as const;
  readonly arithmetic = 'state' as const;
  private current: TrackerState;
  /** Results in a row that disagree with the current state. */
  private streak = 0;
  private running = false;
  /** Kills the run in progress when the tracker stops. */
  private abort: AbortController | undefined;
  private timer: TimerHandle | undefined;
  private stopped = true;
  private lastOutcome: string | undefined;
  private readonly listeners = new Listeners();
  private markKnown: () => void = () => undefined;
  /** Resolves once the state is known: the first result (a run ends by its timeout at the latest). */
  readonly known: Promise<void>;

  constructor(
    readonly spec: ScriptSpec,
    private readonly clock: Clock,
    private readonly runner: ProcessRunner,
    private readonly log: Logger,
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

  subscribe(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    if (this.spec.refused) {
      this.log.error({ event: 'script-refused', tracker: this.name, reason: this.spec.refused }, `vrrp_script ${this.name} will not run: ${this.spec.refused}; it counts as failed`);
      return;
    }
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    this.markKnown();
    this.timer?.cancel();
    this.timer = undefined;
    // A check still running (hung) must not outlive vrrpd.
    this.abort?.abort();
  }

  private tick(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimer(this.spec.intervalMs, () => this.tick());
    // A run still going at the next interval is left to its timeout; no second copy starts.
    if (this.running) return;
    this.running = true;
    const { argv, identity, timeoutMs } = this.spec;
    const abort = new AbortController();
    this.abort = abort;
    void this.runner
      .run({ argv, uid: identity.uid, gid: identity.gid, timeoutMs, signal: abort.signal })
      .then((outcome) => this.record(outcome))
      .catch((error: unknown) => this.record({ kind: 'failed-to-start', message: (error as Error).message }))
      .finally(() => (this.running = false));
  }

  private record(outcome: RunOutcome): void {
    if (this.stopped) return;
    this.lastOutcome = describeOutcome(outcome);
    const success = outcome.kind === 'exited' && outcome.code === 0;
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
      { event: 'tracker-changed', tracker: this.name, kind: 'script', from, state, outcome: this.lastOutcome },
      `vrrp_script ${this.name}: ${state === 'ok' ? 'OK' : 'failed'} (${this.lastOutcome})`,
    );
    this.listeners.notify();
  }
}
