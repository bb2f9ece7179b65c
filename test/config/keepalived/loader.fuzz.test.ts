// The loader never throws: random text and mutations of real configs give issues, not crashes,
// and every issue has a position.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { loadKeepalivedText } from '../../../src/config/keepalived/loader.js';

const seeds = ['k8s-api-haproxy.conf', 'ipv6-unicast.conf'].map((file) => readFileSync(join(import.meta.dirname, 'corpus', file), 'utf8'));
const alphabet = fc.constantFrom(...'{}"!#$@^ \n\tabc/:.0123456789-_'.split(''));

// CPU-bound (thousands of loads): the timeout only catches a hang; four test files at once on
// a loaded 2-core machine took it past the default 20 s (twice in full runs, 6.5 s alone).
test('mutated configs load without throwing, and every issue is located', { timeout: 90_000 }, () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...seeds),
      fc.array(fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.string({ unit: alphabet, maxLength: 6 })), { maxLength: 6 }),
      (seed, edits) => {
        let text = seed;
        for (const [at, cut, insert] of edits) {
          const position = at % (text.length + 1);
          text = text.slice(0, position) + insert + text.slice(position + cut);
        }
        const result = loadKeepalivedText(text, 'fuzz.conf', { readFile: () => '', expandGlob: () => [] });
        for (const issue of result.issues) expect(issue.location ?? issue.path).toBeTruthy();
      },
    ),
    { numRuns: 3000 },
  );
});

test('arbitrary text loads without throwing', () => {
  fc.assert(
    fc.property(fc.string({ unit: alphabet, maxLength: 400 }), (text) => {
      loadKeepalivedText(text, 'fuzz.conf', { readFile: () => '', expandGlob: () => [] });
    }),
    { numRuns: 3000 },
  );
});
