// The schedulers' tables against IPVS's algorithms, written out independently here.
import { describe, expect, it } from 'vitest';
import type { Destination } from '../../src/lb/model.js';
import { choose, HASH_BUCKETS, MAGLEV_SIZE, maglevTable, schedule, sourceHashBuckets, weightedRoundRobin } from '../../src/lb/scheduler.js';

function destinations(...weights: number[]): Destination[] {
  return weights.map((weight, index) => ({
    server: { key: `198.51.100.${11 + index}:80`, family: 'ipv4', address: `198.51.100.${11 + index}`, port: 80, method: 'NAT' },
    weight,
  }));
}

/** IPVS's ip_vs_wrr_schedule, one call at a time (cl, cw as the kernel keeps them). */
function ipvsWrr(weights: number[], picks: number): number[] {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const di = weights.filter((w) => w > 0).reduce(gcd, 0);
  const mw = Math.max(...weights);
  let cl = -1;
  let cw = 0;
  const out: number[] = [];
  while (out.length < picks) {
    cl = (cl + 1) % weights.length;
    if (cl === 0) {
      cw -= di;
      if (cw <= 0) cw = mw;
    }
    if (weights[cl]! >= cw) out.push(cl);
  }
  return out;
}

describe('schedulers', () => {
  it('rr takes the servers in service in turn, skipping quiescent ones', () => {
    expect(schedule('rr', destinations(1, 0, 5, 1))).toEqual({ kind: 'sequence', slots: [0, 2, 3] });
  });

  it('wrr lays out exactly the sequence IPVS chooses', () => {
    for (const weights of [[4, 3, 2], [3, 1], [5, 5, 1], [1, 2, 3, 4, 5, 6], [100, 1]]) {
      const sequence = weightedRoundRobin(weights);
      expect(sequence).toEqual(ipvsWrr(weights, sequence.length));
      // One period is each server weight/gcd times; the next period starts over.
      expect(ipvsWrr(weights, sequence.length * 2).slice(sequence.length)).toEqual(sequence);
    }
    expect(weightedRoundRobin([4, 3, 2])).toEqual([0, 0, 1, 0, 1, 2, 0, 1, 2]);
  });

  it('wrr over servers some of which are quiescent indexes the original list', () => {
    expect(schedule('wrr', destinations(2, 0, 1))).toEqual({ kind: 'sequence', slots: [0, 0, 2] });
  });

  it('a period too long for a table is scaled to at most 65536 slots', () => {
    const slots = weightedRoundRobin([65535, 65534, 3]);
    expect(slots.length).toBeLessThanOrEqual(65536);
    const share = slots.filter((slot) => slot === 0).length / slots.length;
    expect(share).toBeCloseTo(65535 / (65535 + 65534 + 3), 3);
  });

  it('fo sends everything to the heaviest server in service, the first of equals', () => {
    expect(schedule('fo', destinations(1, 3, 3, 2))).toEqual({ kind: 'sequence', slots: [1] });
    expect(schedule('fo', destinations(1, 0, 0))).toEqual({ kind: 'sequence', slots: [0] });
  });

  it('no server in service: no selection', () => {
    for (const scheduler of ['rr', 'wrr', 'sh', 'mh', 'wlc', 'fo'] as const) expect(schedule(scheduler, destinations(0, 0))).toEqual({ kind: 'none' });
  });

  it("sh hands out IPVS's 256 buckets weight by weight, and a quiescent server's buckets find none", () => {
    const table = sourceHashBuckets(destinations(2, 1, 3));
    expect(table.slice(0, 12)).toEqual([0, 0, 1, 2, 2, 2, 0, 0, 1, 2, 2, 2]);
    expect(table).toHaveLength(HASH_BUCKETS);
    const selection = schedule('sh', destinations(2, 0, 3));
    if (selection.kind !== 'hash') throw new Error('not a hash');
    // The quiescent server still takes its one bucket per round (IPVS), which then finds none.
    expect(selection.buckets.slice(0, 6)).toEqual([0, 0, undefined, 2, 2, 2]);
    const fallback = schedule('sh', destinations(2, 0, 3), { hashFallback: true });
    if (fallback.kind !== 'hash') throw new Error('not a hash');
    expect(fallback.buckets.slice(0, 6)).toEqual([0, 0, 2, 2, 2, 2]);
    expect(schedule('sh', destinations(1, 1), { hashPort: true })).toMatchObject({ of: 'source', port: true });
  });

  it('dh buckets the destination address, one bucket per server in turn', () => {
    const selection = schedule('dh', destinations(5, 1));
    expect(selection).toMatchObject({ kind: 'hash', of: 'destination' });
    if (selection.kind === 'hash') expect(selection.buckets.slice(0, 4)).toEqual([0, 1, 0, 1]);
  });

  it('mh fills the Maglev table in proportion to the weights and moves little when a server leaves', () => {
    const all = maglevTable(destinations(1, 1, 1, 1, 1));
    expect(all).toHaveLength(MAGLEV_SIZE);
    const share = (table: Array<number | undefined>, index: number): number => table.filter((entry) => entry === index).length / table.length;
    for (let index = 0; index < 5; index++) expect(share(all, index)).toBeCloseTo(0.2, 1);
    const weighted = maglevTable(destinations(3, 1));
    expect(share(weighted, 0)).toBeCloseTo(0.75, 1);
    const without = maglevTable(destinations(1, 1, 0, 1, 1));
    expect(without.every((entry) => entry !== 2 && entry !== undefined)).toBe(true);
    // Entries of the servers that stay mostly keep their server (consistent hashing).
    const moved = all.filter((entry, index) => entry !== 2 && without[index] !== entry).length;
    expect(moved / MAGLEV_SIZE).toBeLessThan(0.1);
  });

  it('lc/wlc/sed/nq/ovf decide as IPVS from the counts', () => {
    const d = destinations(1, 2, 1);
    // lc: active weighs 256 times inactive; weights aside.
    expect(choose('lc', d, [1, 1, 0], [0, 0, 200])).toBe(2);
    expect(choose('lc', d, [1, 1, 0], [0, 0, 300])).toBe(0);
    expect(choose('lc', d, [1, 1, 1], [5, 0, 3])).toBe(1);
    // wlc: overhead / weight.
    expect(choose('wlc', d, [2, 3, 2], [0, 0, 0])).toBe(1);
    // sed: (active + 1) / weight.
    expect(choose('sed', d, [0, 1, 0], [0, 0, 0])).toBe(0);
    expect(choose('sed', d, [1, 2, 1], [0, 0, 0])).toBe(1);
    expect(choose('sed', d, [1, 3, 1], [0, 0, 0])).toBe(0);
    // nq: an idle server first, whatever its weight.
    expect(choose('nq', d, [1, 1, 0], [0, 0, 0])).toBe(2);
    // ovf: the heaviest server until its active connections reach its weight.
    expect(choose('ovf', d, [0, 1, 0], [0, 0, 0])).toBe(1);
    expect(choose('ovf', d, [0, 2, 0], [0, 0, 0])).toBe(0);
    expect(choose('ovf', d, [1, 2, 1], [0, 0, 0])).toBeUndefined();
  });

  it('a connection-count scheduler lays out the next arrivals as IPVS would choose them', () => {
    const selection = schedule('wlc', destinations(1, 1, 2), { counts: [{ active: 4, inactive: 0 }, { active: 0, inactive: 0 }, { active: 0, inactive: 0 }], expectedArrivals: 8 });
    if (selection.kind !== 'sequence') throw new Error('not a sequence');
    // The idle servers fill up first, in weight proportion, before the busy one gets any.
    const counts = [0, 1, 2].map((index) => selection.slots.filter((slot) => slot === index).length);
    expect(counts).toEqual([0, 3, 5]);
    expect(selection.slots).toHaveLength(8);
  });
});
