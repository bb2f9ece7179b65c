// The namespace lab itself: hosts reach each other across the bridge, carrier can be cut, and
// destroy() leaves no namespace behind.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isRoot, NamespaceLab, sh, sweepStaleLabs } from '../helpers/netns.js';

describe.skipIf(!isRoot())('namespace lab (needs root)', () => {
  let lab: NamespaceLab;

  beforeAll(async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    await lab.addHost('a', ['192.0.2.1/24', '2001:db8::1/64']);
    await lab.addHost('b', ['192.0.2.2/24', '2001:db8::2/64']);
  });

  afterAll(async () => {
    await lab?.destroy();
  });

  test('hosts reach each other over IPv4 and IPv6', async () => {
    const a = lab.host('a');
    await expect(a.exec('ping', ['-c1', '-W2', '192.0.2.2'])).resolves.toBeDefined();
    await expect(a.exec('ping', ['-6', '-c1', '-W2', '2001:db8::2'])).resolves.toBeDefined();
    expect(await a.addresses()).toEqual(expect.arrayContaining(['192.0.2.1/24', '2001:db8::1/64']));
  });

  test('cutting the carrier from the switch side takes the host link down', async () => {
    const b = lab.host('b');
    await b.setCarrier(false);
    const { stdout } = await b.ip('-j', 'link', 'show', 'eth0');
    expect(JSON.parse(stdout)[0].flags).toContain('NO-CARRIER');
    await b.setCarrier(true);
  });

  test('destroy removes every namespace of the lab', async () => {
    const other = await NamespaceLab.create();
    await other.addHost('x');
    await other.destroy();
    const { stdout } = await sh('ip', ['netns', 'list']);
    expect(stdout).not.toContain(other.id);
  });
});
