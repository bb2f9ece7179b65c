// A checker: one check is an attempt, and after a failed one up to `retry` more, each after
// `delay_before_retry` (keepalived's retry_it loop in check_*.c); the check fails when the last
// attempt fails. Who runs checks and how often (a vrrp_script's interval, rise and fall; a real
// server's delay_loop) is the caller's business.
import { INDEPENDENT_OF_PACKETS, type Clock, type TimerHandle } from '../core/clock.js';
import { AttemptDeadline, runAttempt, type AttemptContext, type AttemptOutcome } from './attempt.js';
import { describeFailure, type CheckFailure } from './failure.js';
import type { CheckerIo } from './io.js';
import type { CheckSpec } from './spec.js';

export interface CheckResult {
  readonly ok: boolean;
  /** For status and logs: what passed, or why it failed. */
  readonly detail: string;
  /** The last attempt's failure. */
  readonly failure?: CheckFailure;
  /** Attempts made (1 + retries used). */
  readonly attempts: number;
  readonly elapsedMs: number;
}

export interface CheckerOptions {
  readonly io: CheckerIo;
  readonly clock: Clock;
  readonly random?: AttemptContext['random'];
}

export class Checker {
  private sequence = 0;
  /** The same for every run: made once, not per run. */
  private readonly context: AttemptContext;

  constructor(
    readonly spec: CheckSpec,
    private readonly options: CheckerOptions,
  ) {
    this.context = {
      io: options.io,
      clock: options.clock,
      ...(options.random ? { random: options.random } : {}),
      nextSequence: () => (this.sequence = (this.sequence + 1) & 0xffff),
      deadline: new AttemptDeadline(options.clock),
    };
  }

  /**
   * One check with its retries (`retry`: this run's, else the spec's; a real server's first check
   * makes one attempt, as keepalived starts a checker's retry count spent). Aborting ends it at
   * once (its result then says so).
   */
  run(signal?: AbortSignal, retry = this.spec.retry): Promise<CheckResult> {
    const began = this.options.clock.now();
    // Each attempt's outcome goes straight to the next step, without an async function's frame
    // and its awaits: one promise reaction per attempt between the socket's last event and the
    // tracker.
    return this.attempt(signal).then((outcome) => this.after(outcome, 1, began, signal, retry));
  }

  /** One attempt; a throw while starting it becomes its promise's rejection, as from an async function. */
  private attempt(signal: AbortSignal | undefined): Promise<AttemptOutcome> {
    try {
      return runAttempt(this.spec, this.context, signal);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** The check's result after `attempts` attempts, or the next attempt after delay_before_retry. */
  private after(outcome: AttemptOutcome, attempts: number, began: number, signal: AbortSignal | undefined, retry: number): CheckResult | Promise<CheckResult> {
    const { clock } = this.options;
    const elapsedMs = clock.now() - began;
    if (outcome.ok) return { ok: true, detail: outcome.detail, attempts, elapsedMs };
    const retried = attempts > 1 ? ` (after ${attempts} attempts)` : '';
    const detail = `${outcome.url !== undefined ? `${outcome.url}: ` : ''}${describeFailure(outcome.failure)}${retried}`;
    if (attempts > retry || signal?.aborted) return { ok: false, detail, failure: outcome.failure, attempts, elapsedMs };
    return delay(clock, this.spec.delayBeforeRetryMs, signal)
      .then(() => this.attempt(signal))
      .then((next) => this.after(next, attempts + 1, began, signal, retry));
  }
}

function delay(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    let timer: TimerHandle | undefined = undefined;
    const done = (): void => {
      timer?.cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    timer = clock.setTimer(ms, done, INDEPENDENT_OF_PACKETS);
    signal?.addEventListener('abort', done, { once: true });
    if (signal?.aborted) done();
  });
}

export { checkBoundMs } from './spec.js';

/** One checker's runs, wherever they happen: a Checker on this loop, or one in a worker thread (src/linux/checkers/worker-checkers.ts). */
export interface CheckRunner {
  readonly spec: CheckSpec;
  /** As Checker.run. */
  run(signal?: AbortSignal, retry?: number): Promise<CheckResult>;
}

/** Where checkers run: a runner for each checker. */
export interface CheckerHost {
  checker(spec: CheckSpec): CheckRunner;
}

/** Checkers on the caller's own loop, with these sockets and this clock. */
export function inThreadCheckers(options: CheckerOptions): CheckerHost {
  return { checker: (spec) => new Checker(spec, options) };
}
