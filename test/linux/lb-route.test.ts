// lvs_method DR asks which interface the route to each real server goes out of. The lookup is
// rtnetlink's RTM_GETROUTE, read by the daemon itself: it used `ip -j route get`, which the
// container image (node:20-slim, tini and nftables) lacks, so every DR service failed there with
// "no route". Checked against `ip route get` in a namespace with two links and a gateway, and with
// no iproute2 on PATH.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isRoot, NamespaceLab, type LabHost } from '../helpers/netns.js';

const root = join(import.meta.dirname, '..', '..');
/** LinuxLbHost.routeTo for each [family, address] of argv[1], printed as JSON (undefined as null). */
const probe = `
const { LinuxLbHost } = await import(${JSON.stringify(join(root, 'dist', 'linux', 'lb-host.js'))});
const host = new LinuxLbHost();
const out = [];
for (const [family, address] of JSON.parse(process.argv[1])) out.push((await host.routeTo(family, address)) ?? null);
host.close();
console.log(JSON.stringify(out));
`;

describe.skipIf(!isRoot())('the route to a real server, from rtnetlink (needs root)', () => {
  let lab: NamespaceLab;
  let director: LabHost;

  beforeAll(async () => {
    lab = await NamespaceLab.create();
    director = await lab.addHost('d', ['192.0.2.2/24', '2001:db8:1::2/64']);
    await lab.addInterface(director, 'eth1', ['198.51.100.2/24', '2001:db8:2::2/64'], 'br2');
    await director.ip('route', 'add', '203.0.113.0/24', 'via', '198.51.100.1');
    await director.ip('-6', 'route', 'add', '2001:db8:3::/64', 'via', '2001:db8:2::1');
  }, 30_000);

  afterAll(async () => {
    await lab?.destroy();
  });

  const lookups: Array<[string, string]> = [
    ['ipv4', '192.0.2.21'],
    ['ipv4', '198.51.100.7'],
    ['ipv4', '203.0.113.5'],
    ['ipv6', '2001:db8:1::21'],
    ['ipv6', '2001:db8:2::7'],
    ['ipv6', '2001:db8:3::5'],
    ['ipv6', '2001:db8:4::1'],
  ];

  test('on-link servers give their interface, servers behind a gateway or without a route none, as `ip route get` reads them', async () => {
    const expected: Array<string | null> = [];
    for (const [family, address] of lookups) {
      const result = await director.exec('ip', [family === 'ipv6' ? '-6' : '-4', '-j', 'route', 'get', address]).catch(() => undefined);
      const route = result ? (JSON.parse(result.stdout) as Array<{ dev?: string; gateway?: string }>)[0] : undefined;
      expected.push(route && route.gateway === undefined ? (route.dev ?? null) : null);
    }
    // What the kernel's table says, independently of the code under test.
    expect(expected).toEqual(['eth0', 'eth1', null, 'eth0', 'eth1', null, null]);
    const { stdout } = await director.exec(process.execPath, ['--input-type=module', '-e', probe, JSON.stringify(lookups)]);
    expect(JSON.parse(stdout)).toEqual(expected);
  });

  test('without iproute2 on PATH (the container image) the lookup still answers', async () => {
    const { stdout } = await director.exec('env', ['PATH=/nonexistent', process.execPath, '--input-type=module', '-e', probe, JSON.stringify(lookups.slice(0, 2))]);
    expect(JSON.parse(stdout)).toEqual(['eth0', 'eth1']);
  });
});
