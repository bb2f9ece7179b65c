// holdHeapGrowth (src/cli/heap-growth.ts): once called, V8 no longer grows its young generation,
// and lets its old generation grow less past what is live, under allocations that make it grow
// both otherwise. V8's flags are per process, so each case runs in a fresh node (the built module,
// dist/cli/heap-growth.js), once without the call and once with it.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';

const built = pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'cli', 'heap-growth.js')).href;

/** Runs `body` in a fresh node after holdHeapGrowth() when `hold`; returns what it printed (JSON). */
function inFreshNode<T>(hold: boolean, body: string): T {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    import { holdHeapGrowth } from ${JSON.stringify(built)};
    const committed = (name) => getHeapSpaceStatistics().find((space) => space.space_name === name).space_size;
    ${hold ? 'holdHeapGrowth();' : ''}
    ${body}`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as T;
}

/**
 * The young generation's committed size (bytes) after a first scavenge, and after an allocation
 * whose objects live across a few scavenges (a window of the last 100,000 kept), the kind that
 * makes V8 grow it.
 */
const YOUNG = `
  // Garbage for a first scavenge, which commits the second semi-space (V8 commits it lazily).
  for (let i = 0; i < 100000; i++) globalThis.last = { i };
  const before = committed('new_space');
  const window = new Array(100000);
  for (let i = 0; i < 3000000; i++) window[i % window.length] = { i, text: 'x' + i };
  console.log(JSON.stringify({ before, after: committed('new_space') }));`;

/**
 * The old generation's largest committed size (bytes) while 200,000 objects stay live and others,
 * each kept long enough to be promoted, die in the old generation.
 */
const OLD = `
  const live = [];
  for (let i = 0; i < 200000; i++) live.push({ i, text: 'live' + i });
  let peak = 0;
  const window = new Array(200000);
  for (let i = 0; i < 6000000; i++) {
    window[i % window.length] = { i, text: 'x' + i };
    if (i % 10000 === 0) peak = Math.max(peak, committed('old_space'));
  }
  console.log(JSON.stringify({ peak, live: live.length }));`;

describe('holdHeapGrowth', () => {
  test('the young generation: V8 grows it without, never past its size with', () => {
    const without = inFreshNode<{ before: number; after: number }>(false, YOUNG);
    expect(without.after).toBeGreaterThan(without.before);
    const held = inFreshNode<{ before: number; after: number }>(true, YOUNG);
    // Not toBe: V8 may also shrink it back to its initial size when it measures a low allocation
    // throughput (a loaded machine: CI once read 1 MB after 2 MB). Growing is what the hold stops.
    expect(held.after).toBeLessThanOrEqual(held.before);
  });

  // Two fresh nodes of 6 million allocations each: 6.7 s alone at load 2, over the default 20 s once
  // in a fresh-clone CI beside the suite's other files and a build.
  test('the old generation: its peak with is under half its peak without', { timeout: 60_000 }, () => {
    const without = inFreshNode<{ peak: number }>(false, OLD);
    const held = inFreshNode<{ peak: number }>(true, OLD);
    expect(held.peak).toBeLessThan(without.peak / 2);
  });
});
