// Timer precision: how far from its deadline a protocol timer fires, vrrpd's clock (a timerfd,
// src/daemon/real-clock.ts) against Node's setTimeout, which vrrpd used before. The loop is kept
// as a Backup's is (bench/timer-probe.mjs): a packet every 20 to 27 ms, and on each one a little
// work and a 12.19 ms timer (the Skew_Time of priority 100 at 20 ms adverts) on both clocks.
// A negative lateness is a timer that fired early. keepalived is not in this one: it is C with
// its own timerfd scheduler, and nothing here would compare it on equal terms.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { BenchOptions, BenchReport } from './lib/report.js';
import { repoRoot } from './lib/root.js';
import { fmt, max, median, p99, quantile, table } from './lib/stats.js';

export async function timersBench(options: BenchOptions): Promise<BenchReport> {
  const packets = options.trials ?? { full: 2000, quick: 400, tiny: 50 }[options.mode];
  // The probe (bench/timer-probe.mjs) runs the built daemon's clock in a process of its own.
  const probe = join(repoRoot(), 'bench', 'timer-probe.mjs');
  const measured = JSON.parse(execFileSync(process.execPath, [probe, String(packets)], { encoding: 'utf8' })) as { realClock: number[]; setTimeout: number[] };
  const lateness = { 'vrrpd clock (timerfd)': measured.realClock, 'Node setTimeout': measured.setTimeout };
  const rows = Object.entries(lateness).map(([name, samples]) => [
    name,
    fmt(Math.min(...samples), 3),
    fmt(median(samples), 3),
    fmt(p99(samples), 3),
    fmt(max(samples), 3),
    `${samples.filter((s) => s < 0).length}/${samples.length}`,
    fmt(quantile(samples, 0.01), 3),
  ]);
  options.log(rows.map((r) => `  ${r.join('  ')}`).join('\n'));
  return {
    name: 'timers',
    title: `Timer precision: a 12.19 ms timer started on each of ${packets} packets 20-27 ms apart; ms after its deadline (negative: early)`,
    text: table(['clock', 'min', 'median', 'p99', 'max', 'fired early', 'p1'], rows),
    data: lateness,
  };
}
