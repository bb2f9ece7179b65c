// Conformance cases: each folder under test/conformance holds the hosts' keepalived.conf files,
// `inputs` (what happens, when) and `expected` (what the daemons did, to the tick), run by
// test/conformance/runner.ts on the real daemon over a simulated segment and a virtual clock.
// UPDATE_CONFORMANCE=1 rewrites the expected files; read the diff before committing it.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { runCase } from './conformance/runner.js';

const root = join(import.meta.dirname, 'conformance');
const cases = readdirSync(root, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);

test('there are conformance cases to run', () => {
  expect(cases.length).toBeGreaterThan(10);
});

for (const name of cases) {
  test(`conformance ${name}`, async () => {
    const actual = await runCase(join(root, name));
    const expectedPath = join(root, name, 'expected');
    if (process.env['UPDATE_CONFORMANCE'] === '1' || !existsSync(expectedPath)) {
      if (process.env['CI']) throw new Error(`${expectedPath} is missing`);
      writeFileSync(expectedPath, actual);
    }
    expect(actual).toBe(readFileSync(expectedPath, 'utf8'));
  });
}
