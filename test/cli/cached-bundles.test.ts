// `vrrpd check`, and `status`, `priority`, `reload`, `dump`, `--version`, through bin/vrrpd run
// CommonJS bundles of their own with V8's code cache (dist/bundle/check.cjs and control.cjs,
// scripts/bundle-daemon.mjs), each holding its commands' code alone, and print what the ES module
// bundle prints; without such a bundle bin/vrrpd runs the ES module bundle. (`status` and the others
// against a running daemon: the lab tests that run bin/vrrpd, e.g. test/linux/operate.test.ts.)
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { BUNDLE_DIR, PACKAGE_ROOT, packageCopy } from '../helpers/package-copy.js';
import { scratchDir } from '../helpers/scratch.js';

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function node(args: readonly string[]): Promise<Ran> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, args);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** Runs `argv` through dist/bundle/NAME.cjs as bin/vrrpd does; stderr's last line is the cache's status. */
function throughCachedBundle(argv: readonly string[]): Promise<Ran> {
  const script = `
    const start = require(${JSON.stringify(join(BUNDLE_DIR, 'daemon-start.cjs'))});
    const argv = ${JSON.stringify(argv)};
    const name = start.cachedBundleFor(argv);
    start.loadCachedBundle(${JSON.stringify(BUNDLE_DIR)}, name).main(argv).then(
      (code) => { process.exitCode = code; process.stderr.write(name + ' ' + globalThis[Symbol.for('vrrpd.codeCacheStatus')] + '\\n'); },
      (error) => { process.exitCode = 70; process.stderr.write(error.message + '\\n'); },
    );`;
  return node(['-e', script]);
}

/** Runs `argv` through the ES module bundle (dist/bundle/main.js), as bin/vrrpd does for the other commands. */
function throughEsModuleBundle(argv: readonly string[]): Promise<Ran> {
  const script = `import(${JSON.stringify(join(BUNDLE_DIR, 'main.js'))}).then(({ main }) => main(${JSON.stringify(argv)})).then((code) => { process.exitCode = code; });`;
  return node(['-e', script]);
}

const dir = scratchDir('check-bundle');
const good = join(dir, 'good.conf');
writeFileSync(good, 'vrrp_instance VI_1 {\n interface lo\n virtual_router_id 51\n priority 100\n virtual_ipaddress {\n  192.0.2.100/24\n }\n}\n');
const bad = join(dir, 'bad.conf');
writeFileSync(bad, 'vrrp_instance VI_1 {\n interface lo\n virtual_router_id 300\n priority 100\n virtual_ipaddress {\n  192.0.2.100/24\n }\n}\n');

describe('the cached bundles', () => {
  test.each([
    ['check: a valid file', 'check', ['check', '-f', good]],
    ['check: a valid file, --json', 'check', ['check', '--json', '-f', good]],
    ['check: an error at file:line:column', 'check', ['check', '-f', bad]],
    ['check: --host (rtnetlink)', 'check', ['check', '--host', '-f', good]],
    ['check: a missing -f', 'check', ['check']],
    ['--version', 'control', ['--version']],
    ['-V', 'control', ['-V']],
    ['status, no daemon', 'control', ['status', '--control-socket', join(dir, 'none.sock')]],
    ['priority, a bad value', 'control', ['priority', 'VI_1', '300', '--control-socket', join(dir, 'none.sock')]],
    ['reload --help', 'control', ['reload', '--help']],
  ])('%s: the same output and exit code as the ES module bundle, from %s.cjs with its code cache used', async (_, bundle, argv) => {
    const cached = await throughCachedBundle(argv);
    const esModule = await throughEsModuleBundle(argv);
    const statusLine = cached.stderr.trimEnd().split('\n').pop();
    expect(statusLine).toBe(`${bundle} used`);
    expect({ ...cached, stderr: cached.stderr.slice(0, cached.stderr.length - `${bundle} used\n`.length) }).toEqual(esModule);
  });

  test('the bad file gives its error (so the comparison above compares an error)', async () => {
    const ran = await throughEsModuleBundle(['check', '-f', bad]);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toMatch(new RegExp(`^${bad}:3:\\d+: error: .*virtual_router_id`, 'm'));
  });

  test("another command's code is not in it: reaching it says so instead of running something else", async () => {
    const ran = await throughCachedBundle(['check', '--help']);
    expect(ran.code).toBe(0);
    const simulate = await node([
      '-e',
      `require(${JSON.stringify(join(BUNDLE_DIR, 'daemon-start.cjs'))}).loadCachedBundle(${JSON.stringify(BUNDLE_DIR)}, 'check').main(['simulate']).catch((error) => { process.stdout.write(error.message); });`,
    ]);
    expect(simulate.stdout).toBe('./simulate.js is not in this bundle (scripts/bundle-daemon.mjs)');
  });

  test('bin/vrrpd without check.cjs and control.cjs runs their commands from the ES module bundle, with the same output', async () => {
    const copy = packageCopy(['check.cjs', 'check.cjs.cache', 'control.cjs', 'control.cjs.cache']);
    for (const argv of [['check', '-f', bad], ['status', '--control-socket', join(dir, 'none.sock')], ['--version']]) {
      const withBundle = await node([join(PACKAGE_ROOT, 'bin', 'vrrpd'), ...argv]);
      const without = await node([join(copy, 'bin', 'vrrpd'), ...argv]);
      expect(without).toEqual(withBundle);
    }
    expect((await node([join(copy, 'bin', 'vrrpd'), 'check', '-f', bad])).code).toBe(1);
  });
});
