// Deckhouse-style interface detection on a real host: a lab host with two interfaces, eth0
// (192.0.2.1/24, 2001:db8::1/64, the IPv6 default route) and eth1 (198.51.100.1/24, the IPv4
// default route). DefaultRoute and NetworkAddress must pick the right one, per family and per VIP,
// in `check --host`, `convert --host` and `run`.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { holds, waitFor } from '../helpers/daemons.js';
import { isRoot, NamespaceLab, sweepStaleLabs, type LabHost } from '../helpers/netns.js';
import { scratchDir } from '../helpers/scratch.js';

const vrrpd = join(import.meta.dirname, '..', '..', 'bin', 'vrrpd');
let lab: NamespaceLab | undefined;
afterEach(async () => {
  await lab?.destroy();
  lab = undefined;
});

const detectionYaml = `vrrpInstances:
  - id: 1
    interface: {detectionStrategy: DefaultRoute}
    virtualIPAddresses: [{address: 203.0.113.1/32}]
  - id: 2
    interface:
      detectionStrategy: NetworkAddress
      networkAddress: 192.0.2.0/24
    virtualIPAddresses:
      - address: 192.0.2.100/32
      - address: 198.51.100.100/32
        interface: {detectionStrategy: NetworkAddress, networkAddress: 198.51.100.0/24}
  - id: 3
    interface: {detectionStrategy: DefaultRoute}
    virtualIPAddresses: ["2001:db8::100/64"]
`;

async function twoInterfaceHost(): Promise<LabHost> {
  await sweepStaleLabs();
  lab = await NamespaceLab.create();
  const host = await lab.addHost('a', ['192.0.2.1/24', '2001:db8::1/64']);
  // A veth pair inside the host (the kernel may lack the dummy driver): eth1 has carrier.
  await host.ip('link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth1p');
  await host.ip('link', 'set', 'eth1p', 'up');
  await host.ip('link', 'set', 'eth1', 'up');
  await host.ip('addr', 'add', '198.51.100.1/24', 'dev', 'eth1');
  await host.ip('route', 'add', 'default', 'via', '198.51.100.254', 'dev', 'eth1');
  await host.ip('-6', 'route', 'add', 'default', 'via', '2001:db8::fe', 'dev', 'eth0');
  return host;
}

describe.skipIf(!isRoot())('interface detection on a host with two interfaces (needs root)', () => {
  test('DefaultRoute follows each family\'s default route; NetworkAddress finds the interface holding an address in the network', { timeout: 30_000 }, async () => {
    const host = await twoInterfaceHost();
    const dir = scratchDir('detect');
    const file = join(dir, 'detect.yaml');
    writeFileSync(file, detectionYaml);

    const check = await host.exec('node', [vrrpd, 'check', '--host', '-f', file]);
    expect(check.stdout).toBe(`${file}: OK, 3 vrrp_instances\n`);

    const converted = await host.exec('node', [vrrpd, 'convert', '--host', '--to', 'keepalived', '-f', file]);
    const interfaces = [...converted.stdout.matchAll(/vrrp_instance (\S+) \{\n {4}interface (\S+)/g)].map((m) => [m[1], m[2]]);
    expect(interfaces).toEqual([
      ['instance_1', 'eth1'],
      ['instance_2', 'eth0'],
      ['instance_3', 'eth0'],
    ]);
    expect(converted.stdout).toContain('        198.51.100.100/32 dev eth1\n');

    // Without --host the same file only warns that detection happens at start.
    const offHost = await host.exec('node', [vrrpd, 'check', '-f', file]);
    expect(offHost.stdout.split('\n').filter((line) => line.includes('interface detection'))).toHaveLength(4);
  });

  test('a network no interface is in is an error at its detectionStrategy', { timeout: 30_000 }, async () => {
    const host = await twoInterfaceHost();
    const dir = scratchDir('detect');
    const file = join(dir, 'none.yaml');
    writeFileSync(file, 'vrrpInstances:\n  - id: 4\n    interface: {detectionStrategy: NetworkAddress, networkAddress: 203.0.113.0/24}\n    virtualIPAddresses: [203.0.113.4]\n');
    const result = spawnSync('ip', ['netns', 'exec', host.netns, 'node', vrrpd, 'check', '--host', '-f', file], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe(
      `${file}:3:36: error: interface detection found no interface: no interface with an address in 203.0.113.0/24 on this host\n${file}: 1 error, 0 warnings\n`,
    );
  });

  test('vrrpd run with a YAML file installs the VIPs on the detected interfaces', { timeout: 30_000 }, async () => {
    const host = await twoInterfaceHost();
    const dir = scratchDir('detect');
    const file = join(dir, 'run.yaml');
    writeFileSync(
      file,
      `vrrpInstances:
  - id: 9
    interface: {detectionStrategy: NetworkAddress, networkAddress: 192.0.2.0/24}
    virtualIPAddresses:
      - address: 192.0.2.100/24
      - address: 198.51.100.100/24
        interface: {detectionStrategy: DefaultRoute}
`,
    );
    host.spawn('node', [vrrpd, 'run', '-f', file, '--control-socket', join(dir, 'vrrpd.sock')]);
    // Alone on the link it becomes Master after Master_Down_Interval (3 x 1 s + skew).
    // The addresses are added one after the other: wait for both.
    await waitFor('the VIPs on eth0 and eth1', async () => (await holds(host, '192.0.2.100')) && (await host.addresses('eth1')).includes('198.51.100.100/24'), 8000);
    expect(await host.addresses('eth0')).toContain('192.0.2.100/24');
    expect(await host.addresses('eth1')).toContain('198.51.100.100/24');
  });
});
