// `vrrpd ipfailover` on a real host: the OPENSHIFT_HA_* environment alone is enough to run, and
// the VIPs end up on the interface the image would use (/32, as its generator writes them).
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { holds, waitFor } from '../helpers/daemons.js';
import { isRoot, NamespaceLab, sweepStaleLabs } from '../helpers/netns.js';
import { scratchDir } from '../helpers/scratch.js';

const vrrpd = join(import.meta.dirname, '..', '..', 'bin', 'vrrpd');
let lab: NamespaceLab | undefined;
afterEach(async () => {
  await lab?.destroy();
  lab = undefined;
});

describe.skipIf(!isRoot())('vrrpd ipfailover (needs root)', () => {
  test('runs the generated configuration: every VIP of the range on eth0, found through the default route', { timeout: 30_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const host = await lab.addHost('a', ['192.0.2.1/24']);
    await host.ip('route', 'add', 'default', 'via', '192.0.2.254', 'dev', 'eth0');
    const dir = scratchDir('ipf');
    const daemon = host.spawn('node', [vrrpd, 'ipfailover', '--control-socket', join(dir, 'vrrpd.sock')], {
      env: { ...process.env, OPENSHIFT_HA_VIRTUAL_IPS: '192.0.2.100-101', OPENSHIFT_HA_VIP_GROUPS: '1', OPENSHIFT_HA_MONITOR_PORT: '0', OPENSHIFT_HA_PREEMPTION: 'preempt_delay 0' },
    });
    let output = '';
    daemon.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    daemon.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor('both VIPs on eth0', async () => (await holds(host, '192.0.2.100')) && (await holds(host, '192.0.2.101')), 8000).catch((error: Error) => {
      throw new Error(`${error.message}\n${output}`);
    });
    const addresses = await host.addresses('eth0');
    expect(addresses).toEqual(expect.arrayContaining(['192.0.2.100/32', '192.0.2.101/32']));
  });
});
