// IPVS's schedulers as tables nftables can look up. nftables picks a destination per new
// connection with a counter (`numgen inc`) or a hash (`jhash`) mapped through a table; the
// scheduler's job here is to compute that table. The differences from IPVS (docs/load-balancing.md
// sums them up for operators; bench/lb-fairness.ts measures the connection-count ones):
// - rr, wrr, fo: exactly IPVS's choices (wrr: the same interleaved sequence, ip_vs_wrr.c), over
//   the destinations in configuration order (IPVS keeps its own list order, which changes as
//   destinations come and go).
// - sh, dh: IPVS's 256-bucket table built the same way (sh: `weight` consecutive buckets per
//   destination; dh: one per destination in turn), a bucket whose destination is out of service
//   finds none; the hash of the address is jhash, not IPVS's multiplicative hash, so which bucket
//   a given client lands in differs. sh-fallback takes the next bucket in service where IPVS
//   rehashes with an offset.
// - mh: Maglev's lookup table (4093 entries, IPVS's default size) populated as IPVS does, with its
//   own hash of each destination for the permutations (IPVS uses siphash with a random key).
// - lc, wlc, sed, nq, ovf: IPVS decides per connection from live counts, which nftables cannot
//   read. vrrpd reads conntrack's counts every refresh and lays out the next refresh's new
//   connections as IPVS would choose them if no connection ended in between: the table is that
//   predicted sequence of choices.
import type { ConnectionCount, Destination, SchedulerName } from './model.js';

/**
 * How new connections are spread, by index into the destinations given to `schedule`:
 * - none: no destination in service (the packet goes on to the host, which refuses it);
 * - sequence: the n-th new connection goes to slots[n mod slots.length] (numgen inc);
 * - hash: jhash of the client address (with `port`: and port) or of the destination address, mod
 *   buckets.length; an undefined bucket has no destination.
 */
export type Selection =
  | { readonly kind: 'none' }
  | { readonly kind: 'sequence'; readonly slots: readonly number[] }
  | { readonly kind: 'hash'; readonly of: 'source' | 'destination'; readonly port: boolean; readonly buckets: ReadonlyArray<number | undefined> };

/** IPVS's sh and dh table size (IP_VS_SH_TAB_BITS / IP_VS_DH_TAB_BITS 8). */
export const HASH_BUCKETS = 256;
/** IPVS mh's default table size: the prime for CONFIG_IP_VS_MH_TAB_INDEX 12. */
export const MAGLEV_SIZE = 4093;
/** The longest sequence vrrpd lays out; a longer wrr period is scaled down to it (then no longer exact). */
export const MAX_SEQUENCE = 65536;
/** The most new connections a connection-count scheduler lays out ahead. */
export const MAX_PREDICTED = 4096;

export interface ScheduleOptions {
  /** sh-port / mh-port. */
  readonly hashPort?: boolean;
  /** sh-fallback / mh-fallback. */
  readonly hashFallback?: boolean;
  /** Live connections per destination (same order as the destinations); lc, wlc, sed, nq, ovf. */
  readonly counts?: readonly ConnectionCount[];
  /** New connections expected before the next refresh (the last period's); lc, wlc, sed, nq, ovf. */
  readonly expectedArrivals?: number;
  /** Connections expected to end before the next refresh (the last period's); lc, wlc, sed, nq, ovf. */
  readonly expectedDepartures?: number;
}

/**
 * The table for `scheduler` over `destinations` (in configuration order; weight 0 is quiescent:
 * in the table where IPVS keeps it, never chosen).
 */
export function schedule(scheduler: SchedulerName, destinations: readonly Destination[], options: ScheduleOptions = {}): Selection {
  const live = destinations.flatMap((destination, index) => (destination.weight > 0 ? [index] : []));
  if (live.length === 0) return { kind: 'none' };
  switch (scheduler) {
    case 'rr':
      return { kind: 'sequence', slots: live };
    case 'wrr':
      return { kind: 'sequence', slots: weightedRoundRobin(live.map((index) => destinations[index]!.weight)).map((position) => live[position]!) };
    case 'fo':
      return { kind: 'sequence', slots: [failover(destinations)] };
    case 'sh':
      return hashTable('source', options.hashPort ?? false, sourceHashBuckets(destinations), destinations, options.hashFallback ?? false);
    case 'dh':
      return hashTable('destination', false, destinationHashBuckets(destinations), destinations, false);
    case 'mh':
      return { kind: 'hash', of: 'source', port: options.hashPort ?? false, buckets: maglevTable(destinations) };
    case 'lc':
    case 'wlc':
    case 'sed':
    case 'nq':
    case 'ovf':
      return predicted(scheduler, destinations, options);
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * IPVS wrr (ip_vs_wrr.c): the current weight starts at the largest and steps down by the weights'
 * greatest common divisor; at each step the destinations whose weight reaches it are chosen in
 * list order. One period is that sequence, each destination weight/gcd times. Returns positions
 * into `weights`.
 */
export function weightedRoundRobin(weights: readonly number[]): number[] {
  let divisor = weights.reduce(gcd, 0);
  let scaled = weights;
  const period = (list: readonly number[], step: number): number => list.reduce((sum, weight) => sum + weight / step, 0);
  // A period too long for a table: scale the weights down (the proportions stay within 1/MAX_SEQUENCE).
  if (period(weights, divisor) > MAX_SEQUENCE) {
    const factor = MAX_SEQUENCE / period(weights, divisor);
    scaled = weights.map((weight) => (weight === 0 ? 0 : Math.max(1, Math.floor((weight / divisor) * factor))));
    divisor = scaled.reduce(gcd, 0);
  }
  const highest = Math.max(...scaled);
  const sequence: number[] = [];
  for (let current = highest; current > 0; current -= divisor) {
    scaled.forEach((weight, position) => {
      if (weight >= current) sequence.push(position);
    });
  }
  return sequence;
}

/** IPVS fo: the destination with the highest weight, the first of them in list order. */
function failover(destinations: readonly Destination[]): number {
  let best = -1;
  destinations.forEach((destination, index) => {
    if (destination.weight > 0 && (best < 0 || destination.weight > destinations[best]!.weight)) best = index;
  });
  return best;
}

/**
 * IPVS sh's table (ip_vs_sh_reassign): buckets are handed out in order, each destination taking
 * as many consecutive buckets as its weight (at least one, also at weight 0), round and round.
 */
export function sourceHashBuckets(destinations: readonly Destination[]): number[] {
  const buckets: number[] = [];
  let index = 0;
  let taken = 0;
  for (let bucket = 0; bucket < HASH_BUCKETS; bucket++) {
    buckets.push(index);
    if (++taken >= destinations[index]!.weight) {
      index = (index + 1) % destinations.length;
      taken = 0;
    }
  }
  return buckets;
}

/** IPVS dh's table (ip_vs_dh_reassign): one bucket per destination in turn, weights aside. */
export function destinationHashBuckets(destinations: readonly Destination[]): number[] {
  return Array.from({ length: HASH_BUCKETS }, (_, bucket) => bucket % destinations.length);
}

/**
 * A bucket whose destination is out of service (weight 0) finds none, as in IPVS; with fallback it
 * takes the next bucket's destination that is in service.
 */
function hashTable(of: 'source' | 'destination', port: boolean, table: readonly number[], destinations: readonly Destination[], fallback: boolean): Selection {
  const inService = (index: number | undefined): boolean => index !== undefined && destinations[index]!.weight > 0;
  const buckets = table.map((index, bucket) => {
    if (inService(index)) return index;
    if (!fallback) return undefined;
    for (let step = 1; step < table.length; step++) {
      const candidate = table[(bucket + step) % table.length];
      if (inService(candidate)) return candidate;
    }
    return undefined;
  });
  return { kind: 'hash', of, port, buckets };
}

/** FNV-1a over the text: the permutations' hash (any fixed hash does; IPVS keys siphash randomly). */
function fnv1a(text: string, seed: number): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * Maglev's lookup table (NSDI 2016, §3.4) as IPVS mh populates it (ip_vs_mh.c): each destination
 * in service walks its own permutation of the table, offset and skip from a hash of its address
 * and port, and claims its next free entry; per round a destination takes weight/gcd turns. A
 * destination out of service has no entries, and the others keep most of theirs when one leaves.
 */
export function maglevTable(destinations: readonly Destination[], size = MAGLEV_SIZE): Array<number | undefined> {
  const live = destinations.flatMap((destination, index) => (destination.weight > 0 ? [index] : []));
  const table = new Array<number | undefined>(size).fill(undefined);
  if (live.length === 0) return table;
  const divisor = live.reduce((g, index) => gcd(g, destinations[index]!.weight), 0);
  // IPVS shifts the weights right until the largest fits the table's share of a round.
  let shift = 0;
  const highest = Math.max(...live.map((index) => destinations[index]!.weight / divisor));
  while (highest >> shift > Math.max(1, Math.floor(size / live.length))) shift++;
  const turns = live.map((index) => Math.max(1, (destinations[index]!.weight / divisor) >> shift));
  const permutation = live.map((index) => {
    const key = destinations[index]!.server.key;
    return { offset: fnv1a(key, 0) % size, skip: (fnv1a(key, 0x9e3779b9) % (size - 1)) + 1, next: 0 };
  });
  let filled = 0;
  for (;;) {
    for (let position = 0; position < live.length; position++) {
      for (let turn = 0; turn < turns[position]!; turn++) {
        const walk = permutation[position]!;
        let entry: number;
        do {
          entry = (walk.offset + walk.next * walk.skip) % size;
          walk.next++;
        } while (table[entry] !== undefined);
        table[entry] = live[position]!;
        if (++filled === size) return table;
      }
    }
  }
}

/**
 * lc, wlc, sed, nq, ovf: the next `expectedArrivals` choices IPVS would make from these counts,
 * each new connection counted active at once and (but for ovf) the `expectedDepartures` taken off
 * along the way in proportion to each destination's connections (ip_vs_lc.c, ip_vs_wlc.c, ip_vs_sed.c,
 * ip_vs_nq.c, ip_vs_ovf.c; ties go to the first in list order).
 */
function predicted(scheduler: 'lc' | 'wlc' | 'sed' | 'nq' | 'ovf', destinations: readonly Destination[], options: ScheduleOptions): Selection {
  const active = destinations.map((_, index) => options.counts?.[index]?.active ?? 0);
  const inactive = destinations.map((_, index) => options.counts?.[index]?.inactive ?? 0);
  const arrivals = Math.min(MAX_PREDICTED, Math.max(1, Math.round(options.expectedArrivals ?? 1)));
  // ovf's weights are capacities: counting on connections ending would overfill a server.
  const departing = scheduler === 'ovf' ? 0 : Math.max(0, options.expectedDepartures ?? 0) / arrivals;
  const slots: number[] = [];
  for (let n = 0; n < arrivals; n++) {
    const total = active.reduce((sum, count) => sum + count, 0);
    if (departing > 0 && total > 0) for (let index = 0; index < active.length; index++) active[index] = Math.max(0, active[index]! - (departing * active[index]!) / total);
    const chosen = choose(scheduler, destinations, active, inactive);
    if (chosen === undefined) break;
    slots.push(chosen);
    active[chosen]!++;
  }
  return slots.length === 0 ? { kind: 'none' } : { kind: 'sequence', slots };
}

/** One IPVS decision from the counts (undefined: ovf with every destination full). */
export function choose(scheduler: 'lc' | 'wlc' | 'sed' | 'nq' | 'ovf', destinations: readonly Destination[], active: readonly number[], inactive: readonly number[]): number | undefined {
  // IPVS's overhead of a destination: active connections weigh 256 times an inactive one.
  const overhead = (index: number): number => active[index]! * 256 + inactive[index]!;
  let best: number | undefined;
  const better = (index: number, than: number): boolean => {
    const weight = destinations[index]!.weight;
    const bestWeight = destinations[than]!.weight;
    switch (scheduler) {
      case 'lc':
        return overhead(index) < overhead(than);
      case 'wlc':
        // overhead/weight compared without division, as IPVS does.
        return overhead(index) * bestWeight < overhead(than) * weight;
      case 'sed':
      case 'nq':
        return (active[index]! + 1) * bestWeight < (active[than]! + 1) * weight;
      case 'ovf':
        return weight > bestWeight;
    }
  };
  if (scheduler === 'nq') {
    // Never queue: an idle destination in service is taken at once, the first in list order.
    const idle = destinations.findIndex((destination, index) => destination.weight > 0 && active[index] === 0);
    if (idle >= 0) return idle;
  }
  destinations.forEach((destination, index) => {
    if (destination.weight <= 0) return;
    if (scheduler === 'ovf' && active[index]! >= destination.weight) return;
    if (best === undefined || better(index, best)) best = index;
  });
  return best;
}
