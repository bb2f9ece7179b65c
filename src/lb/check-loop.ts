// When a real server's checker runs, as keepalived schedules it (check_api.c): the first run after
// a random part of `warmup` (keepalived's default warmup is the delay_loop, so that checkers do not
// all start at once), then one run every delay_loop after the last one ended. Retries within a run
// are the checker's (retry, delay_before_retry), except that the very first run of a checker makes
// one attempt only: keepalived starts its retry count exhausted, so one failure is enough to start
// a server out of service. With ha_suspend, a tick while the service's address is not on the host
// runs nothing, and the server's state stays as it was.
import type { Clock, TimerHandle } from '../core/clock.js';

export interface CheckOutcome {
  readonly ok: boolean;
  /** What passed, or why it failed, for logs and status. */
  readonly detail: string;
  /** A built-in checker's failure reason (timeout, refused, http-status, digest, ...), for status and metrics. */
  readonly reason?: string;
  /** MISC_CHECK with misc_dynamic: the weight its exit status gives (status - 2). */
  readonly weight?: number;
}

/** One checker of one real server, as the daemon builds it from the checker's configuration. */
export interface RealServerCheck {
  /** One check; `first`: the checker's very first, which makes a single attempt. Aborting ends it at once. */
  run(signal: AbortSignal, first: boolean): Promise<CheckOutcome>;
}

export interface CheckLoopOptions {
  readonly clock: Clock;
  readonly delayLoopMs: number;
  /** The first run waits a random part of this. */
  readonly warmupMs: number;
  /** [0, 1); tests fix it. */
  readonly random: () => number;
  /** ha_suspend: whether checks are suspended now (the service's address is not here). */
  readonly suspended?: () => boolean;
  readonly onResult: (outcome: CheckOutcome) => void;
}

export class CheckLoop {
  private timer: TimerHandle | undefined;
  private running: AbortController | undefined;
  private stopped = false;
  private first = true;
  /** Runs made (for status). */
  runs = 0;
  /** The last outcome (for status). */
  last: CheckOutcome | undefined;
  /** The last failed outcome, kept after the checker passes again (for status). */
  lastFailure: CheckOutcome | undefined;

  constructor(
    private readonly check: RealServerCheck,
    private readonly options: CheckLoopOptions,
  ) {}

  start(): void {
    this.schedule(this.options.warmupMs * this.options.random());
  }

  /** Stops: a run in progress is aborted and its result dropped. */
  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.running?.abort();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = this.options.clock.setTimer(delayMs, () => {
      this.timer = undefined;
      void this.tick();
    });
  }

  private async tick(): Promise<void> {
    if (this.options.suspended?.()) {
      this.schedule(this.options.delayLoopMs);
      return;
    }
    const controller = new AbortController();
    this.running = controller;
    const first = this.first;
    this.first = false;
    let outcome: CheckOutcome;
    try {
      outcome = await this.check.run(controller.signal, first);
    } catch (error) {
      outcome = { ok: false, detail: `the check could not run: ${(error as Error).message}` };
    }
    this.running = undefined;
    if (this.stopped || controller.signal.aborted) return;
    this.runs++;
    this.last = outcome;
    if (!outcome.ok) this.lastFailure = outcome;
    this.options.onResult(outcome);
    this.schedule(this.options.delayLoopMs);
  }
}

/**
 * A check made of single attempts, retried as keepalived retries a checker: after a failed
 * attempt, up to `retry` more, each `delayBeforeRetryMs` after the last; the first run of a
 * checker makes one attempt only. (The built-in checkers retry by themselves; MISC_CHECK does not.)
 */
export function retrying(attempt: (signal: AbortSignal) => Promise<CheckOutcome>, options: { readonly retry: number; readonly delayBeforeRetryMs: number; readonly clock: Clock }): RealServerCheck {
  return {
    async run(signal, first) {
      const attempts = first ? 1 : options.retry + 1;
      for (let n = 1; ; n++) {
        const outcome = await attempt(signal);
        if (outcome.ok || n >= attempts || signal.aborted) return n > 1 && !outcome.ok ? { ...outcome, detail: `${outcome.detail} (after ${n} attempts)` } : outcome;
        await new Promise<void>((resolve) => {
          const timer = options.clock.setTimer(options.delayBeforeRetryMs, done);
          function done(): void {
            timer.cancel();
            signal.removeEventListener('abort', done);
            resolve();
          }
          signal.addEventListener('abort', done, { once: true });
        });
      }
    },
  };
}
