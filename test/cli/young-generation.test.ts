// holdYoungGeneration (src/cli/young-generation.ts): once called, V8 no longer grows its young
// generation under an allocation that makes it grow otherwise. V8's flags are per process, so each
// case runs in a fresh node (the built module, dist/cli/young-generation.js).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';

const built = pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'cli', 'young-generation.js')).href;

/**
 * The young generation's committed size (bytes) after a first scavenge, and after an allocation whose objects live
 * across a few scavenges (a window of the last 100,000 kept), the kind that makes V8 grow it.
 */
function youngGeneration(hold: boolean): { before: number; after: number } {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    import { holdYoungGeneration } from ${JSON.stringify(built)};
    const young = () => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size;
    ${hold ? 'holdYoungGeneration();' : ''}
    // Garbage for a first scavenge, which commits the second semi-space (V8 commits it lazily).
    for (let i = 0; i < 100000; i++) globalThis.last = { i };
    const before = young();
    const window = new Array(100000);
    for (let i = 0; i < 3000000; i++) window[i % window.length] = { i, text: 'x' + i };
    console.log(JSON.stringify({ before, after: young() }));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as { before: number; after: number };
}

describe('holdYoungGeneration', () => {
  test('without it V8 grows the young generation under this allocation', () => {
    const { before, after } = youngGeneration(false);
    expect(after).toBeGreaterThan(before);
  });

  test('with it the young generation keeps its size', () => {
    const { before, after } = youngGeneration(true);
    expect(after).toBe(before);
  });
});
