// `vrrpd run` through bin/vrrpd runs the daemon's CommonJS bundle with V8's code cache
// (src/cli/code-cache.ts, scripts/bundle-daemon.mjs), and still starts when the cache is missing,
// made for another build, or refused by V8, and when the daemon bundle (or also bin/vrrpd's way into
// it, daemon-start.cjs) is missing: then from the ES module bundle. Each case: an owner (priority 255, straight to Master) whose first
// advertisement the test sees on the wire. The broken cases run a copy of the package
// (test/helpers/package-copy.ts) so that the checkout's own files stay as built.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { captureFields, startCapture } from '../helpers/capture.js';
import { holds, instanceConfig, waitFor } from '../helpers/daemons.js';
import { isRoot, NamespaceLab, sweepStaleLabs } from '../helpers/netns.js';
import { BUNDLE_DIR, PACKAGE_ROOT, packageCopy } from '../helpers/package-copy.js';
import { scratchDir } from '../helpers/scratch.js';

let lab: NamespaceLab | undefined;
afterEach(async () => {
  await lab?.destroy();
  lab = undefined;
});

type Variant = 'as built' | 'no cache' | 'stale cache' | 'cache V8 refuses' | 'no daemon bundle' | 'only the ES module bundle';

/** A package root for `variant`: the checkout itself, or a copy whose dist/bundle/ lacks or spoils files. */
function packageFor(variant: Variant): string {
  if (variant === 'as built') return PACKAGE_ROOT;
  const cache = readFileSync(join(BUNDLE_DIR, 'daemon.cjs.cache'));
  const header = cache.subarray(0, cache.indexOf(0x0a) + 1);
  if (variant === 'no cache') return packageCopy(['daemon.cjs.cache']);
  if (variant === 'stale cache') return packageCopy([], { 'daemon.cjs.cache': Buffer.concat([Buffer.from('vrrpd-code-cache 0123456789abcdef\n'), cache.subarray(header.length)]) });
  if (variant === 'cache V8 refuses') return packageCopy([], { 'daemon.cjs.cache': Buffer.concat([header, Buffer.alloc(64 * 1024, 0x5a)]) });
  if (variant === 'no daemon bundle') return packageCopy(['daemon.cjs', 'daemon.cjs.cache']);
  return packageCopy(['daemon.cjs', 'daemon.cjs.cache', 'daemon-start.cjs']);
}

const expectedStatus: Record<Variant, string | undefined> = {
  'as built': 'used',
  'no cache': 'absent',
  'stale cache': 'stale',
  'cache V8 refuses': 'rejected',
  'no daemon bundle': undefined,
  'only the ES module bundle': undefined,
};

describe.skipIf(!isRoot())('the daemon bundle and its code cache (needs root)', () => {
  test.each(Object.keys(expectedStatus) as Variant[])('%s: vrrpd run starts and sends its first advertisement', { timeout: 60_000 }, async (variant) => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const observer = await lab.addHost('obs', ['192.0.2.9/24']);
    const capture = await startCapture(observer, 'ip proto 112');
    const dir = scratchDir('code-cache-run');
    const config = join(dir, 'keepalived.conf');
    writeFileSync(config, instanceConfig({ priority: 255, version: 3, vip: '192.0.2.100/24' }));
    const child = a.spawn('node', [join(packageFor(variant), 'bin', 'vrrpd'), 'run', '-f', config, '--control-socket', join(dir, 'vrrpd.sock')]);
    const lines: string[] = [];
    for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const started = (): Record<string, unknown> | undefined =>
      lines.map((line) => (line.startsWith('{') ? (JSON.parse(line) as Record<string, unknown>) : {})).find((record) => record['event'] === 'started');

    await waitFor('vrrpd to start', async () => started() !== undefined, 15_000);
    await waitFor('the VIP on a', () => holds(a, '192.0.2.100'), 15_000);
    await waitFor('the first advertisement on the wire', async () => captureFields(capture.file, ['ip.src', 'vrrp.prio']).length > 0, 15_000);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await capture.stop();
    expect(started()?.['codeCache']).toBe(expectedStatus[variant]);
    expect(captureFields(capture.file, ['ip.src', 'vrrp.prio'])[0]).toEqual(['192.0.2.1', '255']);
    expect(lines.filter((line) => !line.startsWith('{'))).toEqual([]);
  });
});
