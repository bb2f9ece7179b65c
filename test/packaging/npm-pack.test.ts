// Host packaging as an operator does it: `npm pack`, then `npm install -g` of the tarball (into a
// temporary prefix) gives a working `vrrpd` with the native shim built and without TypeScript.
// The pack skips `prepare` (tsc): global-setup built dist/ already, and rewriting it while other
// test files run bin/vrrpd would race them.
import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { VERSION } from '../../src/version.js';
import { scratchDir } from '../helpers/scratch.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const corpusFile = join(root, 'test', 'config', 'keepalived', 'corpus', 'ipv6-unicast.conf');
const dir = scratchDir('pack');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm pack, then npm install -g of the tarball', () => {
  test('gives a vrrpd that runs, checks a configuration and loads its native shim', { timeout: 300_000 }, async () => {
    const packed = JSON.parse((await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: root, maxBuffer: 16 * 1024 * 1024 })).stdout) as Array<{
      filename: string;
      files: Array<{ path: string }>;
    }>;
    const files = packed[0]?.files.map((file) => file.path) ?? [];
    expect(files).toEqual(expect.arrayContaining(['bin/vrrpd', 'dist/cli/main.js', 'dist/cli/lab/command.js', 'native-shims/binding.gyp', 'native-shims/packet_socket.cc', 'package.json', 'README.md', 'docs/README.md', 'docs/operations.md', 'deploy/systemd/vrrpd.service', 'LICENSE']));
    expect(files.filter((path) => path.startsWith('src/') || path.startsWith('test/') || path.startsWith('native-shims/build/'))).toEqual([]);

    const tarball = join(dir, packed[0]?.filename ?? 'missing.tgz');
    const prefix = join(dir, 'prefix');
    await run('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });

    const installed = join(prefix, 'lib', 'node_modules', 'vrrpd');
    const vrrpd = join(prefix, 'bin', 'vrrpd');
    expect((await run(vrrpd, ['--version'])).stdout).toBe(`${VERSION}\n`);
    expect((await run(vrrpd, ['check', '--offline', '-f', corpusFile])).stdout).toBe(`${corpusFile}: OK, 1 vrrp_instance\n`);
    // The install script built the shim in the installed copy; the installed copy needs no TypeScript.
    expect(existsSync(join(installed, 'native-shims', 'build', 'Release', 'vrrpd_shims.node'))).toBe(true);
    const shim = await run(process.execPath, ['-e', `import(${JSON.stringify(join(installed, 'dist', 'linux', 'native.js'))}).then((m) => console.log(typeof m.nativeShims().sendFrame))`]);
    expect(shim.stdout).toBe('function\n');
    expect(existsSync(join(installed, 'node_modules', 'typescript'))).toBe(false);
  });
});
