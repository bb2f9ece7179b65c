// CLOCK_MONOTONIC in milliseconds, for the daemon's own timing: RealClock (real-clock.ts), the
// announcement outbox and pacer, the IPv6 DAD wait. process.hrtime reads the clock performance.now
// reads, as fast (~60 ns a call), without loading node:perf_hooks and its eight modules, which the
// first use of performance (global or imported) does: 2-5 ms of a daemon's start before its first
// advertisement on a 2-core machine (issue 16). Readings are compared with each other only, never
// with performance.now's, whose zero is the process's start.

/** CLOCK_MONOTONIC's whole seconds when this module loaded: readings stay small numbers, as performance.now's. */
const ZERO_SECONDS = process.hrtime()[0];

/** A reading of CLOCK_MONOTONIC in milliseconds from its own zero (the native shims'), on monotonicMs's scale. */
export function monotonicMsOf(clockMs: number): number {
  return clockMs - ZERO_SECONDS * 1000;
}

/** The inverse of monotonicMsOf: a reading on monotonicMs's scale as CLOCK_MONOTONIC's own milliseconds, for the native shims. */
export function clockMsOf(monotonicReading: number): number {
  return monotonicReading + ZERO_SECONDS * 1000;
}

/** Milliseconds on CLOCK_MONOTONIC, from about when this module loaded. */
export function monotonicMs(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return (seconds - ZERO_SECONDS) * 1000 + nanoseconds / 1e6;
}
