// The YAML loader never throws: mutations of real YAML configurations and arbitrary text give
// issues, not crashes, and every issue has a file:line:column inside the text.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { loadKeepalivedConfig } from '../../../src/config/keepalived/loader.js';
import { writeYamlConfig } from '../../../src/config/write/yaml.js';
import { loadYamlText } from '../../../src/config/yaml/loader.js';

const corpus = join(import.meta.dirname, '..', 'keepalived', 'corpus');
// Seeds: the keepalived corpus converted to YAML, plus a Deckhouse entry with detection.
const seeds = [
  ...readdirSync(corpus).filter((name) => name.endsWith('.conf')).map((name) => writeYamlConfig(loadKeepalivedConfig(join(corpus, name)).config)),
  'vrrpInstances:\n  - id: 1\n    interface:\n      detectionStrategy: NetworkAddress\n      networkAddress: 192.0.2.0/24\n    virtualIPAddresses:\n      - address: 192.0.2.15/32\n        interface: {detectionStrategy: DefaultRoute}\n',
];
const alphabet = fc.constantFrom(...'{}[]"\'#&*!|>-:,?% \n\tabcz/.0123456789_'.split(''));

function assertLocated(text: string, detected?: ReadonlyMap<string, string | undefined>): void {
  const result = loadYamlText(text, 'fuzz.yaml', detected ? { detected } : {});
  const lines = text.split('\n').length;
  for (const issue of result.issues) {
    expect(issue.location, `${issue.path}: ${issue.message}`).toBeDefined();
    expect(issue.location!.file).toBe('fuzz.yaml');
    expect(issue.location!.line).toBeGreaterThanOrEqual(1);
    expect(issue.location!.line).toBeLessThanOrEqual(lines);
    expect(issue.location!.column).toBeGreaterThanOrEqual(1);
  }
}

// CPU-bound (thousands of loads): the timeout only catches a hang; four test files at once on
// a loaded 2-core machine took it past the default 20 s (twice in full runs, 6.5 s alone).
test('mutated YAML configurations load without throwing, every issue located in the text', { timeout: 90_000 }, () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...seeds),
      fc.array(fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.string({ unit: alphabet, maxLength: 6 })), { maxLength: 6 }),
      fc.boolean(),
      (seed, edits, withHost) => {
        let text = seed;
        for (const [at, cut, insert] of edits) {
          const position = at % (text.length + 1);
          text = text.slice(0, position) + insert + text.slice(position + cut);
        }
        assertLocated(text, withHost ? new Map([['DefaultRoute/ipv4', 'eth0'], ['NetworkAddress/192.0.2.0/24', undefined]]) : undefined);
      },
    ),
    { numRuns: 2000 },
  );
});

test('arbitrary text loads without throwing', () => {
  fc.assert(
    fc.property(fc.string({ unit: alphabet, maxLength: 300 }), (text) => assertLocated(text)),
    { numRuns: 2000 },
  );
});

// CPU-bound (thousands of loads): the timeout only catches a hang; four test files at once on
// a loaded 2-core machine took it past the default 20 s (twice in full runs, 6.5 s alone).
test('arbitrary YAML values in every place load without throwing', { timeout: 90_000 }, () => {
  const value = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(fc.constantFrom('id', 'name', 'interface', 'detectionStrategy', 'address', 'priority', 'weight', 'x'), tie('node'), { maxKeys: 3 })),
  })).node;
  const config = fc.record({
    global: value,
    vrrpScripts: fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), value, { maxKeys: 2 }),
    vrrpInstances: fc.array(fc.dictionary(fc.constantFrom('id', 'name', 'interface', 'priority', 'virtualIPAddresses', 'unicastPeers', 'trackScripts', 'preempt', 'useVmac', 'authentication'), value, { maxKeys: 6 }), { maxLength: 3 }),
    syncGroups: fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), value, { maxKeys: 2 }),
  });
  fc.assert(
    fc.property(config, (document) => assertLocated(JSON.stringify(document, null, 1))),
    { numRuns: 2000 },
  );
});
