// A vrrp_script whose body is a checker block (HTTP_GET, SSL_GET, TCP_CHECK, PING_CHECK,
// DNS_CHECK, UDP_CHECK, SMTP_CHECK) instead of `script`: each run is one check of the built-in checker
// (src/checkers), in this process (on Linux in the checkers' worker thread), with no process per
// run. The vrrp_script's `timeout` bounds the run as a script's; the checker's connect_timeout
// bounds each attempt within it.
import type { CheckResult, CheckRunner } from '../checkers/checker.js';
import { checkBoundMs } from '../checkers/spec.js';
import { INDEPENDENT_OF_PACKETS, type Clock } from '../core/clock.js';
import type { CheckOutcome, TrackCheck } from './script-tracker.js';

export function checkerCheck(checker: CheckRunner, timeoutMs: number, clock: Clock): TrackCheck {
  const { spec } = checker;
  // A timeout no shorter than the longest run bounds nothing the checker does not bound itself;
  // armed, it would race the checker's own deadline when they are equal (the default) and win,
  // hiding the checker's reason behind its own.
  const bounds = timeoutMs < checkBoundMs(spec);
  const outcome = (result: CheckResult): CheckOutcome => ({ success: result.ok, outcome: `${spec.type}: ${result.detail}`, ...(result.failure ? { reason: result.failure.reason } : {}) });
  const unbounded = (signal: AbortSignal, settled: (outcome: CheckOutcome) => void, failed: (error: unknown) => void): void =>
    void checker.run(signal).then((result) => settled(outcome(result)), failed);
  const bounded = (signal: AbortSignal, settled: (outcome: CheckOutcome) => void, failed: (error: unknown) => void): void => {
    const abort = new AbortController();
    const forward = (): void => abort.abort();
    signal.addEventListener('abort', forward, { once: true });
    let timedOut = false;
    const timer = clock.setTimer(
      timeoutMs,
      () => {
        timedOut = true;
        abort.abort();
      },
      INDEPENDENT_OF_PACKETS,
    );
    const done = (): void => {
      timer.cancel();
      signal.removeEventListener('abort', forward);
    };
    void checker.run(abort.signal).then(
      (result) => {
        done();
        if (timedOut && !result.ok) settled({ success: false, outcome: `${spec.type}: no result within the vrrp_script timeout of ${timeoutMs} ms (${result.detail})`, reason: 'timeout' });
        else settled(outcome(result));
      },
      (error: unknown) => {
        done();
        failed(error);
      },
    );
  };
  const start = bounds ? bounded : unbounded;
  // The tracker takes the outcome from `start` (TrackCheck.start), without a promise of its own per run.
  return { releasesSignal: true, start, run: (signal) => new Promise((resolve, reject) => start(signal, resolve, reject)) };
}
