// Operating a running vrrpd through its control socket, with keepalived as the peer: status shows
// what the network shows, and a priority override moves mastership there and back.
import { execFile, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, test } from 'vitest';
import { holds, instanceConfig, startKeepalived, waitFor, SETTLE_MS } from '../helpers/daemons.js';
import { isRoot, NamespaceLab, sweepStaleLabs } from '../helpers/netns.js';
import { scratchDir } from '../helpers/scratch.js';

const vrrpd = join(import.meta.dirname, '..', '..', 'bin', 'vrrpd');
const haveKeepalived = spawnSync('keepalived', ['--version'], { stdio: 'ignore' }).status === 0;
const VIP = '192.0.2.100';
let lab: NamespaceLab | undefined;
afterEach(async () => {
  await lab?.destroy();
  lab = undefined;
});

describe.skipIf(!isRoot() || !haveKeepalived)('status and priority override (needs root and keepalived)', () => {
  test('override to 90 hands the VIP to keepalived (100); --reset takes it back', { timeout: 40_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const b = await lab.addHost('b', ['192.0.2.2/24']);
    const dir = scratchDir('op');
    const socket = join(dir, 'vrrpd.sock');
    const config = join(dir, 'vrrpd.conf');
    writeFileSync(config, instanceConfig({ priority: 150, version: 3, vip: `${VIP}/24` }));
    a.spawn('node', [vrrpd, 'run', '-f', config, '--control-socket', socket]);
    startKeepalived(b, instanceConfig({ priority: 100, version: 3, vip: `${VIP}/24` }));
    await waitFor('vrrpd to hold the VIP', () => holds(a, VIP), SETTLE_MS);

    const cli = async (...args: string[]) => (await promisify(execFile)(vrrpd, [...args, '--control-socket', socket])).stdout;
    const before = JSON.parse(await cli('status', '--json')) as { instances: Array<Record<string, unknown>> };
    expect(before.instances).toEqual([expect.objectContaining({ name: 'VI_1', state: 'Master', effectivePriority: 150, priorityOverride: null, virtualAddresses: ['192.0.2.100/24'] })]);

    expect(await cli('priority', 'VI_1', '90')).toBe('VI_1: priority 90 (base 150), Master\n');
    await waitFor('keepalived to take the VIP', () => holds(b, VIP), 6000);
    await waitFor('vrrpd to let go', async () => !(await holds(a, VIP)), 2000);
    const during = JSON.parse(await cli('status', '--json')) as { instances: Array<Record<string, unknown>> };
    expect(during.instances[0]).toMatchObject({ state: 'Backup', effectivePriority: 90, priorityOverride: 90, master: { address: '192.0.2.2', priority: 100 } });
    expect(await cli('status')).toMatch(/^VI_1\s+Backup\s+[\d.]+ s\s+51\s+v3\s+eth0\s+90 \(override; base 150\)\s+192\.0\.2\.2 \(100\)/m);

    expect(await cli('priority', 'VI_1', '--reset')).toMatch(/^VI_1: override removed; priority 150, Backup\n$/);
    await waitFor('vrrpd to preempt', () => holds(a, VIP), 6000);
    await waitFor('keepalived to let go', async () => !(await holds(b, VIP)), 3000);
  });

  test('CLI errors are specific', async () => {
    const run = (...args: string[]) => promisify(execFile)(vrrpd, args).then(() => ({ code: 0, stderr: '' }), (error: { code: number; stderr: string }) => error);
    expect(await run('priority', 'VI_1', '300', '--control-socket', '/nonexistent/x.sock')).toMatchObject({ code: 2, stderr: 'vrrpd: priority "300" is not valid: an override must be 1..254\n' });
    expect(await run('priority', 'VI_1', '--control-socket', '/nonexistent/x.sock')).toMatchObject({ code: 2, stderr: 'vrrpd: give either a priority (1..254) or --reset\n' });
    expect(await run('status', '--control-socket', '/nonexistent/x.sock')).toMatchObject({ code: 1, stderr: 'vrrpd: vrrpd is not running (no control socket at /nonexistent/x.sock)\n' });
  });
});
