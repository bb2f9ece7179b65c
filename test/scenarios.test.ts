// Recorded scenarios: each folder under test/scenarios holds scenario.json (hosts, routers,
// timed events) and expected.trace (transitions and address changes, to the tick).
// UPDATE_SCENARIOS=1 rewrites the traces; review the diff before committing it.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { formatSummary, formatTrace, runScenario, type Scenario } from '../src/sim/scenario.js';

const root = join(import.meta.dirname, 'scenarios');
const folders = readdirSync(root, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);

test('there are scenarios to run', () => {
  expect(folders.length).toBeGreaterThan(10);
});

for (const name of folders) {
  test(`scenario ${name}`, () => {
    const scenario = JSON.parse(readFileSync(join(root, name, 'scenario.json'), 'utf8')) as Scenario;
    const lan = runScenario(scenario);
    const trace = formatTrace(lan.trace, scenario.show) + formatSummary(lan);
    const expectedPath = join(root, name, 'expected.trace');
    if (process.env['UPDATE_SCENARIOS'] === '1' || !existsSync(expectedPath)) {
      if (process.env['CI']) throw new Error(`${expectedPath} is missing`);
      writeFileSync(expectedPath, trace);
    }
    expect(trace).toBe(readFileSync(expectedPath, 'utf8'));
  });
}
