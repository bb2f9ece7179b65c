// Whether an interface exists is asked of the kernel in vrrpd's own network namespace, not read
// from /sys/class/net, which lists the links of the namespace sysfs was mounted in. A process that
// enters a namespace with `nsenter --net` (as into a systemd-nspawn machine or a pod) keeps the
// /sys it had. Here that /sys is lab host a's (`ip netns exec a` mounts one for a) while vrrpd runs
// in host b's namespace: `check --host` and `run` must accept b's interface and refuse a's.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, test } from 'vitest';
import { instanceConfig, waitFor } from '../helpers/daemons.js';
import { isRoot, NamespaceLab, sweepStaleLabs, type LabHost } from '../helpers/netns.js';
import { scratchDir } from '../helpers/scratch.js';

const vrrpd = join(import.meta.dirname, '..', '..', 'bin', 'vrrpd');
let lab: NamespaceLab | undefined;
afterEach(async () => {
  await lab?.destroy();
  lab = undefined;
});

/** A veth pair inside the host only (the kernel may lack the dummy driver), up, with an address. */
async function addLocalLink(host: LabHost, name: string, address: string): Promise<void> {
  await host.ip('link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}p`);
  for (const device of [`${name}p`, name]) await host.ip('link', 'set', device, 'up');
  await host.ip('addr', 'add', address, 'dev', name);
}

describe.skipIf(!isRoot())('interfaces of vrrpd\'s own network namespace (needs root)', () => {
  test('with /sys showing another namespace, check --host and run accept the interface that is there and refuse the one that is not', { timeout: 60_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const b = await lab.addHost('b', ['192.0.2.2/24']);
    await addLocalLink(a, 'onlya0', '198.51.100.1/24');
    await addLocalLink(b, 'onlyb0', '198.51.100.2/24');
    const dir = scratchDir('netns-links');
    /** Runs in b's network namespace with a's /sys. */
    const inB = (command: string, args: readonly string[]) =>
      promisify(execFile)('ip', ['netns', 'exec', a.netns, 'nsenter', `--net=/run/netns/${b.netns}`, command, ...args]).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
      );

    // The premise: /sys/class/net there lists a's links, the kernel b's.
    const sysfs = (await inB('ls', ['/sys/class/net'])).stdout.split('\n');
    expect(sysfs).toContain('onlya0');
    expect(sysfs).not.toContain('onlyb0');
    expect((await inB('ip', ['-br', 'link'])).stdout).toMatch(/^onlyb0@onlyb0p\s/m);

    const config = (device: string): string => {
      const file = join(dir, `${device}.conf`);
      writeFileSync(file, instanceConfig({ priority: 100, version: 3, vip: '198.51.100.100/24' }).replace('interface eth0', `interface ${device}`));
      return file;
    };
    const [here, elsewhere] = [config('onlyb0'), config('onlya0')];

    expect(await inB('node', [vrrpd, 'check', '--host', '-f', here])).toEqual({ code: 0, stdout: `${here}: OK, 1 vrrp_instance\n`, stderr: '' });
    expect(await inB('node', [vrrpd, 'check', '--host', '-f', elsewhere])).toEqual({
      code: 1,
      stdout: `${elsewhere}:2:13: error: interface onlya0 does not exist on this host\n${elsewhere}: 1 error, 0 warnings\n`,
      stderr: '',
    });
    // Without --host: a warning, from the same source.
    expect((await inB('node', [vrrpd, 'check', '-f', elsewhere])).stdout).toContain(`${elsewhere}:2:13: warning: interface onlya0 does not exist on this host\n`);
    expect((await inB('node', [vrrpd, 'check', '-f', here])).stdout).toBe(`${here}: OK, 1 vrrp_instance\n`);

    const refused = await inB('node', [vrrpd, 'run', '-f', elsewhere, '--control-socket', join(dir, 'refused.sock')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`${elsewhere}:2:13: error: interface onlya0 does not exist on this host\nvrrpd: ${elsewhere} has errors; not started\n`);

    const daemon = a.spawn('nsenter', [`--net=/run/netns/${b.netns}`, 'node', vrrpd, 'run', '-f', here, '--control-socket', join(dir, 'vrrpd.sock')]);
    const lines: string[] = [];
    for (const stream of [daemon.stdout, daemon.stderr]) stream?.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    const exited = new Promise<number | null>((resolve) => daemon.once('exit', (code) => resolve(code)));
    await waitFor('vrrpd to start on onlyb0', async () => lines.some((line) => line.includes('"event":"started"')), 10_000).catch((error: Error) => {
      throw new Error(`${error.message}; it said: ${lines.join('\n')}`);
    });
    // It runs VRRP on b's interface: alone on the link, it becomes Master there.
    await waitFor('vrrpd to take the VIP on onlyb0', async () => (await b.addresses('onlyb0')).includes('198.51.100.100/24'), 20_000);
    daemon.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
