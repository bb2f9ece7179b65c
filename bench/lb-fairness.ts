// How close vrrpd's connection-count schedulers (lc, wlc, sed, nq, ovf) come to IPVS's, on the
// same trace of connections. IPVS decides each new connection from the live counts; vrrpd reads
// conntrack once a second and lays out the next second's connections as IPVS would choose them if
// none ended meanwhile (src/lb/scheduler.ts). Both are simulated here with the scheduler code vrrpd
// runs, on a seeded trace: Poisson arrivals, log-normal durations (a few long ones). Measured per
// scheduler and weight set: the imbalance of active connections per unit of weight ((max - min) /
// mean, averaged over time), the share of connections vrrpd sends elsewhere than IPVS would have
// at that moment, and for ovf the connections sent to a server already at its weight. rr and wrr
// are in for reference (vrrpd's choices are IPVS's). No kernel, no root.
import type { Destination, SchedulerName } from '../src/lb/model.js';
import { choose, schedule } from '../src/lb/scheduler.js';
import { seededRandom } from '../src/sim/random.js';
import type { BenchOptions, BenchReport } from './lib/report.js';
import { fmt, table } from './lib/stats.js';

type Counted = 'lc' | 'wlc' | 'sed' | 'nq' | 'ovf';
const COUNTED = new Set<SchedulerName>(['lc', 'wlc', 'sed', 'nq', 'ovf']);

interface Arrival {
  readonly at: number;
  readonly duration: number;
}

function trace(random: () => number, ratePerS: number, seconds: number, meanDurationS: number): Arrival[] {
  const arrivals: Arrival[] = [];
  // Log-normal with sigma 1: most connections short, some long; its mean is exp(mu + 1/2).
  const mu = Math.log(meanDurationS) - 0.5;
  for (let at = 0; ; ) {
    at += -Math.log(1 - random()) / ratePerS;
    if (at >= seconds) return arrivals;
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    arrivals.push({ at, duration: Math.exp(mu + normal) });
  }
}

function destinations(weights: readonly number[]): Destination[] {
  return weights.map((weight, index) => ({ server: { key: `s${index}`, family: 'ipv4', address: `198.51.100.${index + 11}`, port: 80, method: 'NAT' }, weight }));
}

export interface FairnessResult {
  readonly scheduler: SchedulerName;
  readonly weights: readonly number[];
  readonly ipvsImbalance: number;
  readonly vrrpdImbalance: number;
  /** Share of connections vrrpd placed elsewhere than IPVS would have, given the true counts at that moment. */
  readonly disagreement: number;
  /** ovf: connections sent to a server whose active connections had reached its weight. */
  readonly overCapacity: { readonly ipvs: number; readonly vrrpd: number };
  readonly connections: number;
}

/** Runs one policy over the trace; `pick` chooses given the true counts now. */
function simulate(
  arrivals: readonly Arrival[],
  dest: readonly Destination[],
  pick: (active: number[], inactive: number[], now: number) => number | undefined,
  sampleEveryS: number,
  slowdown: readonly number[] = [],
): { imbalance: number; choices: Array<number | undefined>; counts: Array<{ active: number[] }>; overCapacity: number } {
  const ends: Array<{ at: number; server: number }> = [];
  const active = dest.map(() => 0);
  const inactive = dest.map(() => 0);
  const choices: Array<number | undefined> = [];
  const counts: Array<{ active: number[] }> = [];
  let imbalanceSum = 0;
  let samples = 0;
  let nextSample = sampleEveryS;
  let overCapacity = 0;
  const sample = (): void => {
    const loads = active.map((count, index) => count / dest[index]!.weight);
    const mean = loads.reduce((a, b) => a + b, 0) / loads.length;
    if (mean > 0) {
      imbalanceSum += (Math.max(...loads) - Math.min(...loads)) / mean;
      samples++;
    }
  };
  for (const arrival of arrivals) {
    // Connections that ended before this arrival, and samples on the way.
    ends.sort((a, b) => a.at - b.at);
    while (ends.length > 0 && ends[0]!.at <= arrival.at) {
      while (nextSample <= ends[0]!.at) {
        sample();
        nextSample += sampleEveryS;
      }
      active[ends.shift()!.server]!--;
    }
    while (nextSample <= arrival.at) {
      sample();
      nextSample += sampleEveryS;
    }
    counts.push({ active: [...active] });
    const chosen = pick(active, inactive, arrival.at);
    choices.push(chosen);
    if (chosen === undefined) continue;
    if (active[chosen]! >= dest[chosen]!.weight) overCapacity++;
    active[chosen]!++;
    ends.push({ at: arrival.at + arrival.duration * (slowdown[chosen] ?? 1), server: chosen });
  }
  return { imbalance: samples > 0 ? imbalanceSum / samples : Number.NaN, choices, counts, overCapacity };
}

export function fairness(
  scheduler: SchedulerName,
  weights: readonly number[],
  options: { seed: number; ratePerS: number; seconds: number; meanDurationS: number; refreshS: number; slowdown?: readonly number[] },
  departures = true,
): FairnessResult {
  const dest = destinations(weights);
  const arrivals = trace(seededRandom(options.seed), options.ratePerS, options.seconds, options.meanDurationS);
  const ipvsPick = (active: number[], inactive: number[]): number | undefined => {
    if (COUNTED.has(scheduler)) return choose(scheduler as Counted, dest, active, inactive);
    return undefined;
  };
  // rr / wrr: the numgen sequence, which is IPVS's too.
  const fixed = !COUNTED.has(scheduler) ? schedule(scheduler, dest) : undefined;
  let position = 0;
  const sequencePick = (): number | undefined => (fixed?.kind === 'sequence' ? fixed.slots[position++ % fixed.slots.length] : undefined);
  const ipvs = simulate(arrivals, dest, COUNTED.has(scheduler) ? ipvsPick : sequencePick, 0.1, options.slowdown);

  // vrrpd: every refresh reads the counts and lays out the predicted sequence; arrivals take its
  // slots in turn (numgen inc), wrapping round when more came than predicted.
  let slots: readonly number[] = [];
  let slot = 0;
  let nextRefresh = 0;
  let arrivalsSinceRefresh = 0;
  let lastArrivals = weights.length;
  let lastTotal: number | undefined;
  let lastDepartures = 0;
  position = 0;
  const vrrpdPick = (active: number[], inactive: number[], now: number): number | undefined => {
    if (!COUNTED.has(scheduler)) return sequencePick();
    while (now >= nextRefresh) {
      lastArrivals = nextRefresh === 0 ? weights.length : Math.max(arrivalsSinceRefresh, weights.length);
      // What the daemon knows: the total now and the last period's new connections, hence the departures.
      const total = active.reduce((a, b) => a + b, 0);
      if (lastTotal !== undefined) lastDepartures = Math.max(0, arrivalsSinceRefresh - (total - lastTotal));
      lastTotal = total;
      const selection = schedule(scheduler, dest, {
        counts: active.map((count, index) => ({ active: count, inactive: inactive[index]! })),
        expectedArrivals: lastArrivals,
        ...(departures ? { expectedDepartures: lastDepartures } : {}),
      });
      slots = selection.kind === 'sequence' ? selection.slots : [];
      slot = 0;
      arrivalsSinceRefresh = 0;
      nextRefresh += options.refreshS;
    }
    arrivalsSinceRefresh++;
    return slots.length === 0 ? undefined : slots[slot++ % slots.length];
  };
  const vrrpd = simulate(arrivals, dest, vrrpdPick, 0.1, options.slowdown);
  // Disagreement: at each of vrrpd's arrivals, would IPVS (with the true counts then) have chosen the same?
  let differ = 0;
  if (COUNTED.has(scheduler)) {
    vrrpd.choices.forEach((chosen, index) => {
      const wanted = choose(scheduler as Counted, dest, vrrpd.counts[index]!.active, dest.map(() => 0));
      if (wanted !== chosen) differ++;
    });
  }
  return {
    scheduler,
    weights,
    ipvsImbalance: ipvs.imbalance,
    vrrpdImbalance: vrrpd.imbalance,
    disagreement: differ / arrivals.length,
    overCapacity: { ipvs: ipvs.overCapacity, vrrpd: vrrpd.overCapacity },
    connections: arrivals.length,
  };
}

export async function lbFairnessBench(options: BenchOptions): Promise<BenchReport> {
  const seconds = { full: 600, quick: 120, tiny: 20 }[options.mode];
  const base = { seed: options.seed ?? 1, ratePerS: 200, seconds, meanDurationS: 2, refreshS: 1 };
  const cases: Array<[SchedulerName, number[]]> = [
    ['rr', [1, 1, 1, 1, 1]],
    ['wrr', [1, 2, 3, 4, 5]],
    ['lc', [1, 1, 1, 1, 1]],
    ['wlc', [1, 1, 1, 1, 1]],
    ['wlc', [1, 2, 3, 4, 5]],
    ['sed', [1, 2, 3, 4, 5]],
    ['nq', [1, 2, 3, 4, 5]],
  ];
  const results = cases.map(([scheduler, weights]) => fairness(scheduler, weights, base));
  // What reading the counts more often would buy, and what the departures estimate does.
  const variants = [
    { label: 'wlc 1:2:3:4:5, read every 1 s, departures estimated', result: fairness('wlc', [1, 2, 3, 4, 5], base) },
    { label: 'wlc 1:2:3:4:5, read every 1 s, departures ignored', result: fairness('wlc', [1, 2, 3, 4, 5], base, false) },
    { label: 'wlc 1:2:3:4:5, read every 0.25 s', result: fairness('wlc', [1, 2, 3, 4, 5], { ...base, refreshS: 0.25 }) },
    { label: 'wlc 1:2:3:4:5, read every 0.1 s', result: fairness('wlc', [1, 2, 3, 4, 5], { ...base, refreshS: 0.1 }) },
    // Where least-connection matters: one server holds its connections three times longer.
    { label: 'rr 1:1:1:1:1, one server 3x slower', result: fairness('rr', [1, 1, 1, 1, 1], { ...base, slowdown: [3] }) },
    { label: 'wlc 1:1:1:1:1, one server 3x slower', result: fairness('wlc', [1, 1, 1, 1, 1], { ...base, slowdown: [3] }) },
  ];
  // ovf: weights are capacities; the load (about 400 concurrent on average) is above the first
  // server's and below the total.
  const ovf = fairness('ovf', [300, 150, 100], base);
  options.log(`fairness: ${results.length + 1} cases, ${results[0]!.connections} connections each`);
  const rows = results.map((r) => [r.scheduler, r.weights.join(':'), fmt(r.ipvsImbalance, 3), fmt(r.vrrpdImbalance, 3), `${fmt(r.disagreement * 100, 1)} %`]);
  const text = [
    table(['scheduler', 'weights', 'IPVS imbalance', 'vrrpd imbalance', 'vrrpd choices IPVS would not make'], rows),
    '',
    table(
      ['variant', 'IPVS imbalance', 'vrrpd imbalance', 'vrrpd choices IPVS would not make'],
      variants.map(({ label, result }) => [label, fmt(result.ipvsImbalance, 3), fmt(result.vrrpdImbalance, 3), `${fmt(result.disagreement * 100, 1)} %`]),
    ),
    '',
    table(
      ['scheduler', 'capacities', 'connections', 'IPVS over capacity', 'vrrpd over capacity', 'vrrpd choices IPVS would not make'],
      [[ovf.scheduler, ovf.weights.join(':'), String(ovf.connections), String(ovf.overCapacity.ipvs), String(ovf.overCapacity.vrrpd), `${fmt(ovf.disagreement * 100, 1)} %`]],
    ),
    '',
    `Trace: ${base.ratePerS} new connections/s for ${seconds} s, log-normal durations with mean ${base.meanDurationS} s (about ${base.ratePerS * base.meanDurationS} open at once), seed ${base.seed}; vrrpd reads the counts every ${base.refreshS} s. Imbalance: (max - min) / mean of active connections per unit of weight, sampled every 100 ms and averaged.`,
  ].join('\n');
  return { name: 'lb-fairness', title: 'Connection schedulers: vrrpd (conntrack read every second) against IPVS (per connection), same trace', text, data: { results, variants, ovf, base } };
}
