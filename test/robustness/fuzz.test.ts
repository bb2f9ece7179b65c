// Fuzzing with real material: the advertisements captured from keepalived and the keepalived.conf
// files of the corpus and the vectors, mutated (bit flips, byte changes, truncation, extension,
// splices of lines and tokens), plus random bytes behind a plausible header. Decoding never throws
// and every rejection names a known reason with a sentence; loading never throws and every issue is
// located at a line and column of the file. Deterministic (seeded). With the property tests of the
// codec (~120k cases) and the loader fuzz (6k), the suite runs about 226k cases.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadKeepalivedText } from '../../src/config/keepalived/loader.js';
import { decodeAdvertisement, type IpContext } from '../../src/vrrp/packet/advertisement.js';
import { REJECT_REASONS } from '../../src/vrrp/packet/rejection.js';

const vectorsDir = join(import.meta.dirname, '..', 'vectors', 'keepalived');
const vectors = readdirSync(vectorsDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(vectorsDir, f), 'utf8')) as { family: 'ipv4' | 'ipv6'; ipSource: string; ipDestination: string; hex: string; keepalivedConfig: string });
const corpusDir = join(import.meta.dirname, '..', 'config', 'keepalived', 'corpus');
const configs = [...readdirSync(corpusDir).filter((f) => f.endsWith('.conf')).map((f) => readFileSync(join(corpusDir, f), 'utf8')), ...vectors.map((v) => v.keepalivedConfig)];

/** xorshift32: deterministic, so a failure names its case and can be replayed. */
function generator(seed: number): { next: () => number; int: (n: number) => number } {
  let s = seed >>> 0 || 1;
  const next = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  return { next, int: (n) => next() % n };
}

const known = new Set<string>(REJECT_REASONS);

function mutateBytes(bytes: Uint8Array, r: ReturnType<typeof generator>): Uint8Array {
  let out = Uint8Array.from(bytes);
  const edits = 1 + r.int(4);
  for (let e = 0; e < edits; e++) {
    switch (r.int(6)) {
      case 0: // bit flip
        if (out.length > 0) out[r.int(out.length)]! ^= 1 << r.int(8);
        break;
      case 1: // byte set, often to a boundary value
        if (out.length > 0) out[r.int(out.length)] = [0, 1, 0x7f, 0x80, 0xff, r.int(256)][r.int(6)]!;
        break;
      case 2: // truncate
        out = out.slice(0, r.int(out.length + 1));
        break;
      case 3: // extend with random bytes
        out = Uint8Array.from([...out, ...Array.from({ length: 1 + r.int(40) }, () => r.int(256))]);
        break;
      case 4: // address count byte
        if (out.length > 3) out[3] = r.int(256);
        break;
      default: // splice two halves of itself
        out = Uint8Array.from([...out.slice(0, r.int(out.length + 1)), ...out.slice(r.int(out.length + 1))]);
    }
  }
  return out;
}

function checkDecode(bytes: Uint8Array, ip: IpContext, label: string): void {
  let result: ReturnType<typeof decodeAdvertisement>;
  try {
    result = decodeAdvertisement(bytes, ip);
  } catch (error) {
    throw new Error(`${label}: decode threw ${(error as Error).message} on ${Buffer.from(bytes).toString('hex')}`);
  }
  if (!result.ok && (!known.has(result.rejection.reason) || result.rejection.detail.length === 0)) {
    throw new Error(`${label}: rejection without a known reason and a sentence: ${JSON.stringify(result.rejection)}`);
  }
}

describe('fuzzing the decoder with captured keepalived advertisements', () => {
  test('60k mutations of the six captured vectors, under their own and the other family: never throws, every rejection has a reason', () => {
    const r = generator(0x5eed);
    let cases = 0;
    let rejected = 0;
    for (let i = 0; i < 60_000; i++) {
      const v = vectors[i % vectors.length]!;
      const bytes = mutateBytes(Buffer.from(v.hex, 'hex'), r);
      const ip: IpContext = r.int(10) === 0 ? (v.family === 'ipv4' ? { family: 'ipv6', source: 'fe80::1', destination: 'ff02::12' } : { family: 'ipv4', source: '192.0.2.1', destination: '224.0.0.18' }) : { family: v.family, source: v.ipSource, destination: v.ipDestination };
      checkDecode(bytes, ip, `case ${i} (${v.hex})`);
      if (!decodeAdvertisement(bytes, ip).ok) rejected++;
      cases++;
    }
    expect(cases).toBe(60_000);
    // The mutations reach the checks: most are rejected, some still decode.
    expect(rejected).toBeGreaterThan(cases / 2);
    expect(rejected).toBeLessThan(cases);
  });

  test('30k random bodies behind a plausible version/type byte: never throws', () => {
    const r = generator(0xb0d1e5);
    for (let i = 0; i < 30_000; i++) {
      const length = r.int(80);
      const bytes = Uint8Array.from({ length }, () => r.int(256));
      if (length > 0) bytes[0] = [0x21, 0x31, 0x11, 0x32, 0x41][r.int(5)]!;
      checkDecode(bytes, r.int(2) === 0 ? { family: 'ipv4', source: '192.0.2.1', destination: '224.0.0.18' } : { family: 'ipv6', source: 'fe80::1', destination: 'ff02::12' }, `random ${i}`);
    }
  });
});

const TOKENS = ['{', '}', '"', '!', '#', '@', 'include', 'vrrp_instance', 'virtual_ipaddress', 'priority', '255', '-1', '0.001', '99999999999', 'interface', 'eth0', 'auth_pass', 'unicast_peer', '192.0.2.1/33', '2001:db8::1/129', 'track_script', 'virtual_router_id', 'advert_int', 'version', '3', 'nopreempt', '\n', '\t', ' ', '\u{1F4A5}', '\u0000'];

function mutateText(text: string, r: ReturnType<typeof generator>): string {
  let lines = text.split('\n');
  const edits = 1 + r.int(5);
  for (let e = 0; e < edits; e++) {
    const at = r.int(lines.length + 1);
    switch (r.int(6)) {
      case 0:
        lines.splice(at, 1);
        break;
      case 1:
        lines.splice(at, 0, lines[r.int(lines.length)] ?? '');
        break;
      case 2: {
        const line = lines[at] ?? '';
        const col = r.int(line.length + 1);
        lines[at] = line.slice(0, col) + TOKENS[r.int(TOKENS.length)]! + line.slice(col);
        break;
      }
      case 3:
        lines = lines.slice(0, at);
        break;
      case 4: {
        const line = lines[at] ?? '';
        lines[at] = line.split(/\s+/).reverse().join(' ');
        break;
      }
      default:
        lines.splice(at, 0, Array.from({ length: 1 + r.int(6) }, () => TOKENS[r.int(TOKENS.length)]!).join(' '));
    }
  }
  return lines.join('\n');
}

describe('fuzzing the keepalived.conf loader with the corpus', () => {
  // CPU-bound (thousands of loads): the timeout only catches a hang; four test files at once on
  // a loaded 2-core machine took it past the default 20 s (twice in full runs, 6.5 s alone).
  test('10k line and token mutations of real configurations: never throws, every issue is located in the file', { timeout: 90_000 }, () => {
    const r = generator(0xc0ffee);
    let issues = 0;
    for (let i = 0; i < 10_000; i++) {
      const text = mutateText(configs[i % configs.length]!, r);
      let result: ReturnType<typeof loadKeepalivedText>;
      try {
        result = loadKeepalivedText(text, 'fuzz.conf', { readFile: () => '', expandGlob: () => [] });
      } catch (error) {
        throw new Error(`case ${i}: load threw ${(error as Error).message} on:\n${text}`);
      }
      for (const issue of result.issues) {
        issues++;
        if (!issue.location || issue.location.file !== 'fuzz.conf' || issue.location.line < 1 || issue.location.column < 1 || issue.message.length === 0) {
          throw new Error(`case ${i}: issue without a position in the file: ${JSON.stringify(issue)}\n${text}`);
        }
      }
    }
    expect(issues).toBeGreaterThan(1000);
  });
});
