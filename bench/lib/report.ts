// What every benchmark hands back: a titled table for the console and RESULTS.md, plus raw data
// kept as JSON under bench/results/.
export interface BenchReport {
  readonly name: string;
  readonly title: string;
  /** Markdown table(s) and notes. */
  readonly text: string;
  readonly data: unknown;
}

export type Mode = 'full' | 'quick' | 'tiny';

export interface BenchOptions {
  readonly mode: Mode;
  /** Overrides the mode's trial count. */
  readonly trials?: number;
  /** Stability and soak duration. */
  readonly minutes?: number;
  readonly seed?: number;
  /** Failover scenarios to run, by label (`sigterm@20`, `crash@1000`); all when absent. */
  readonly scenarios?: readonly string[];
  /** The BFD bench: `bfd_rt_priority` in every daemon's global_defs (vrrpd and keepalived alike); none when absent. */
  readonly bfdRtPriority?: number;
  readonly log: (line: string) => void;
}
