// Where a check runs: on the main loop or in the checkers' worker thread (worker-checkers.ts).
// A check through the worker costs a second thread's wake-up and a message each way on top of the
// check itself: at one SSL_GET a second, 6 ms of CPU against 1.8 on the main loop (bench/RESULTS.md,
// "Built-in checkers"). On the main loop, twenty checks a second of ~1.5 ms, in callbacks of a
// fraction of that each, leave VRRP's timers alone (bench checker-loop); hundreds a second, or
// node:tls handshakes (2-5 ms of JavaScript each), held them back, which is what the worker is for.
import type { CheckSpec } from '../../checkers/spec.js';

/** Runs a second, of checks light on the main loop, that the main loop takes itself. */
export const MAIN_LOOP_RUNS_PER_SECOND = 20;

export interface PlacementOptions {
  /** The main thread has the shim's TlsStream (native-tls-stream.ts haveNativeTls). */
  readonly nativeTls: boolean;
  /** Every check in the worker (VRRPD_CHECKER_THREAD=worker, for A/B comparisons). */
  readonly allInWorker?: boolean;
}

export class CheckPlacement {
  private windowStart = -Infinity;
  private taken = 0;

  constructor(private readonly options: PlacementOptions) {}

  /** Where a run of `spec` starting at `now` (ms, monotonic) goes; a main-loop run is counted. */
  place(spec: CheckSpec, now: number): 'main-loop' | 'worker' {
    if (!this.lightOnMainLoop(spec)) return 'worker';
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.taken = 0;
    }
    if (this.taken >= MAIN_LOOP_RUNS_PER_SECOND) return 'worker';
    this.taken++;
    return 'main-loop';
  }

  /**
   * Anything but a handshake made by node:tls: a verified SSL_GET (verify_certificate), or any
   * SSL_GET without the native TlsStream.
   */
  private lightOnMainLoop(spec: CheckSpec): boolean {
    if (this.options.allInWorker === true) return false;
    if (spec.type !== 'SSL_GET') return true;
    return this.options.nativeTls && spec.tls?.caFile === undefined;
  }
}
