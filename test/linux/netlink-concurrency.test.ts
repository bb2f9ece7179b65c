// Three instances becoming Master at the same moment add their VIPs through one rtnetlink socket at
// once. Before requests were serialised, their replies interleaved and two of three VIPs were
// missing ("Multipart message not terminated properly", EBUSY).
import { afterEach, describe, expect, test } from 'vitest';
import { holds, instanceConfig, startVrrpd, waitFor } from '../helpers/daemons.js';
import { isRoot, NamespaceLab, sweepStaleLabs } from '../helpers/netns.js';

let lab: NamespaceLab | undefined;
afterEach(async () => {
  await lab?.destroy();
  lab = undefined;
});

describe.skipIf(!isRoot())('rtnetlink requests from several instances (needs root)', () => {
  test('three instances becoming Master together all install their VIPs', { timeout: 30_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const vips = ['192.0.2.101', '192.0.2.102', '192.0.2.103'];
    const config = vips.map((vip, i) => instanceConfig({ priority: 150, version: 3, vrid: 51 + i, vip: `${vip}/24` }).replace('VI_1', `VI_${i + 1}`)).join('');
    const daemon = startVrrpd(a, config);
    await waitFor('all three VIPs', async () => (await Promise.all(vips.map((vip) => holds(a, vip)))).every(Boolean), 10_000);
    expect(daemon.lines.filter((line) => line.includes('address-change-failed'))).toEqual([]);
  });
});
