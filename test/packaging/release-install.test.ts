// The release tarball installed exactly as a host operator installs it: scripts/release (through its cache:
// --cached builds it once per change of its inputs for every test that installs it), then
// `npm install -g ./vrrpd-VERSION-linux-x64.tgz` inside a clean Debian rootfs (scripts/rootfs:
// minbase, Node 20, npm; no g++, make or python3) in a network namespace with no route anywhere,
// so neither a compiler nor the npm registry can help. The installed vrrpd then answers
// --version, checks a configuration, and runs one instance in a lab namespace until it is Master.
//
// The cached rootfs is never written: every command runs in its own private mount namespace
// (unshare) that mounts an overlay of it (the writes land in this file's temporary directory) with
// /proc and /sys, and chroots into it; the mounts end with the command, also when it fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scratchDir } from '../helpers/scratch.js';
import { VERSION } from '../../src/version.js';
import { instanceConfig, waitFor } from '../helpers/daemons.js';
import { isRoot, NamespaceLab, type LabHost } from '../helpers/netns.js';
import { finish, runScript, type Finished } from '../helpers/processes.js';

const CONFIG = '/etc/keepalived/keepalived.conf';
const VIP = '192.0.2.100';
// The build tools an install could fall back on (node-gyp needs python3, make and a C++ compiler).
const BUILD_TOOLS = ['g++', 'c++', 'gcc', 'cc', 'make', 'python3', 'python'];

// Mounts the overlay, /proc and /sys (of the network namespace it runs in), then chroots; argv:
// lowerdir upperdir workdir mountpoint command...
const MOUNT_AND_CHROOT = [
  'lower=$1 upper=$2 work=$3 mnt=$4; shift 4',
  'mount -t overlay overlay -o "lowerdir=$lower,upperdir=$upper,workdir=$work" "$mnt"',
  'mount -t proc proc "$mnt/proc"',
  'mount -t sysfs sysfs "$mnt/sys"',
  'exec chroot "$mnt" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"',
].join(' && ');

describe.skipIf(!isRoot())('the release tarball on a clean Debian host with no compiler (root)', () => {
  let dir = '';
  let tarball = '';
  let lowerdir = '';
  let lab: NamespaceLab | undefined;
  let host: LabHost;
  const running = new Set<ChildProcess>();

  /** Spawns COMMAND in the rootfs: in `netns` (a lab host's), or else in a new, empty one. */
  function inRootfs(command: readonly string[], netns?: string): ChildProcess {
    const enter = netns === undefined ? ['unshare', '--net'] : ['nsenter', `--net=/run/netns/${netns}`, 'unshare'];
    const [program = 'unshare', ...args] = [...enter, '--mount', '--propagation', 'private', '--', 'sh', '-c', MOUNT_AND_CHROOT, 'sh'];
    const paths = [lowerdir, join(dir, 'upper'), join(dir, 'work'), join(dir, 'mnt')];
    const child = spawn(program, [...args, ...paths, ...command], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    child.once('exit', () => running.delete(child));
    return child;
  }

  const run = (command: readonly string[], netns?: string): Promise<Finished> => finish(inRootfs(command, netns));

  beforeAll(async () => {
    dir = scratchDir('release');
    for (const sub of ['upper', 'work', 'mnt']) mkdirSync(join(dir, sub));
    // The cold rootfs build takes minutes (debootstrap); later runs find it cached.
    [tarball, lowerdir] = await Promise.all([runScript('release', ['--cached']), runScript('rootfs')]);
    lab = await NamespaceLab.create();
    host = await lab.addHost('r1', ['192.0.2.1/24']);
  }, 1_200_000);

  afterAll(async () => {
    for (const child of running) child.kill('SIGKILL');
    await waitFor('the rootfs commands to end', async () => running.size === 0, 10_000).catch(() => undefined);
    await lab?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the rootfs has Node 20 and npm and none of the build tools', async () => {
    const versions = await run(['sh', '-c', 'node --version && npm --version']);
    expect(versions.code).toBe(0);
    expect(versions.stdout).toMatch(/^v20\.\d+\.\d+\n\d+\.\d+\.\d+\n$/);
    const found = await run(['sh', '-c', `for tool in ${BUILD_TOOLS.join(' ')}; do command -v "$tool"; done; true`]);
    expect(found).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  test('npm install -g of the tarball needs no compiler and no registry', { timeout: 300_000 }, async () => {
    expect(basename(tarball)).toBe(`vrrpd-${VERSION}-linux-x64.tgz`);
    const size = statSync(tarball).size;
    // The operator's copy of the file, in root's home directory (0700 as in the rootfs).
    mkdirSync(join(dir, 'upper', 'root'), { mode: 0o700 });
    writeFileSync(join(dir, 'upper', 'root', `vrrpd-${VERSION}-linux-x64.tgz`), readFileSync(tarball));

    const started = performance.now();
    const install = await run(['sh', '-c', `cd /root && npm install -g ./vrrpd-${VERSION}-linux-x64.tgz`]);
    const seconds = (performance.now() - started) / 1000;
    console.log(`release tarball: ${(size / 1024 / 1024).toFixed(2)} MiB; npm install -g in the rootfs: ${seconds.toFixed(1)} s`);
    expect(install.stderr).not.toMatch(/gyp|python|npm error/i);
    expect(install.code).toBe(0);
    expect(install.stdout).toContain('added 1 package');

    // What npm installed is the package with its binaries, from the tarball alone.
    const installed = join(dir, 'upper', 'usr', 'local', 'lib', 'node_modules', 'vrrpd');
    for (const binary of ['native-shims/build/Release/vrrpd_shims.node', 'node_modules/raw-socket/build/Release/raw.node', 'node_modules/netlink/prebuilds/linux-x64/node.napi.node']) {
      expect(existsSync(join(installed, binary)), binary).toBe(true);
    }
    expect(existsSync(join(installed, 'node_modules', 'typescript'))).toBe(false);
    const version = await run(['vrrpd', '--version']);
    expect(version).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  test('the installed vrrpd checks a configuration and becomes Master in a lab namespace', { timeout: 120_000 }, async () => {
    mkdirSync(join(dir, 'upper', 'etc', 'keepalived'), { recursive: true });
    writeFileSync(join(dir, 'upper', 'etc', 'keepalived', 'keepalived.conf'), instanceConfig({ priority: 100, version: 3, vip: `${VIP}/24` }));
    const checked = await run(['vrrpd', 'check', '-f', CONFIG], host.netns);
    expect(checked).toEqual({ code: 0, stdout: `${CONFIG}: OK, 1 vrrp_instance\n`, stderr: '' });

    const daemon = inRootfs(['vrrpd', 'run', '-f', CONFIG], host.netns);
    const finished = finish(daemon);
    await waitFor(`${VIP} on eth0`, async () => (await host.addresses()).some((address) => address.startsWith(`${VIP}/`)), 30_000);
    daemon.kill('SIGTERM');
    const { code, stdout } = await finished;
    expect(code).toBe(0);
    const states = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { event?: string; to?: string })
      .flatMap((entry) => (entry.event === 'transition' ? [entry.to] : []));
    expect(states).toEqual(['Backup', 'Master', 'Initialize']);
    // SIGTERM: vrrpd resigned (priority 0) and took its VIP away.
    expect((await host.addresses()).filter((address) => address.startsWith(`${VIP}/`))).toEqual([]);
  });
});
