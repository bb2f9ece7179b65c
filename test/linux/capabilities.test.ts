// vrrpd refuses to start without the capabilities it needs, saying which: without CAP_NET_ADMIN
// it would elect itself Master and then fail to install its VIPs.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { missingCapabilities } from '../../src/linux/capabilities.js';
import { isRoot, NamespaceLab, sweepStaleLabs } from '../helpers/netns.js';
import { scratchDir } from '../helpers/scratch.js';

test('CapEff bits 12 (CAP_NET_ADMIN) and 13 (CAP_NET_RAW) are read from /proc/PID/status', () => {
  expect(missingCapabilities('Name:\tnode\nCapEff:\t000001ffffffffff\n')).toEqual([]);
  expect(missingCapabilities('CapEff:\t0000000000003000\n')).toEqual([]);
  expect(missingCapabilities('CapEff:\t000001fffeffefff\n')).toEqual(['CAP_NET_ADMIN']);
  expect(missingCapabilities('CapEff:\t0000000000000000\n')).toEqual(['CAP_NET_ADMIN', 'CAP_NET_RAW']);
  // Without the line, the sockets themselves report what is wrong.
  expect(missingCapabilities('Name:\tnode\n')).toEqual([]);
});

describe.skipIf(!isRoot())('vrrpd run without its capabilities (needs root to drop them)', () => {
  const dir = scratchDir('caps');
  const file = join(dir, 'keepalived.conf');
  writeFileSync(file, 'vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n version 3\n virtual_ipaddress {\n  192.0.2.100/24\n }\n}\n');
  const vrrpd = join(import.meta.dirname, '..', '..', 'bin', 'vrrpd');
  // In a namespace of its own: should the check fail, the daemon must not reach the host's network.
  let lab: NamespaceLab | undefined;
  afterAll(async () => lab?.destroy());

  test.each([
    ['-net_admin', 'CAP_NET_ADMIN'],
    ['-net_admin,-net_raw', 'CAP_NET_ADMIN and CAP_NET_RAW'],
  ])('bounding set %s: exit 1 naming %s, before touching the host', async (drop, named) => {
    if (!lab) {
      await sweepStaleLabs();
      lab = await NamespaceLab.create();
      await lab.addHost('a', ['192.0.2.1/24']);
    }
    const run = promisify(execFile)('ip', ['netns', 'exec', lab.host('a').netns, 'setpriv', '--bounding-set', drop, vrrpd, 'run', '-f', file, '--control-socket', join(dir, 'vrrpd.sock')], { timeout: 10_000 });
    await expect(run).rejects.toMatchObject({
      code: 1,
      stderr: `vrrpd: needs root or ${named} (raw VRRP sockets need CAP_NET_RAW; addresses, routes and VMACs need CAP_NET_ADMIN); not started\n`,
    });
  });
});
