import { expect, test } from 'vitest';
import { formatIssue } from '../../src/config/issues.js';
import { loadKeepalivedText } from '../../src/config/keepalived/loader.js';
import { announcePacing, routerBindings, vmacSpecs } from '../../src/daemon/vrrp/binding.js';

test('a keepalived instance becomes a daemon binding with keepalived semantics', () => {
  const { config, issues } = loadKeepalivedText(
    [
      'global_defs {',
      '  vrrp_mcast_group4 224.0.0.19',
      '  vrrp_garp_master_delay 2',
      '}',
      'vrrp_instance VI_1 {',
      '  interface eth0',
      '  virtual_router_id 7',
      '  priority 120',
      '  advert_int 2',
      '  v3_checksum_as_v2',
      '  version 3',
      '  virtual_ipaddress {',
      '    192.0.2.100/24 dev eth1 label eth1:v',
      '  }',
      '  virtual_ipaddress_excluded {',
      '    198.51.100.7/32',
      '  }',
      '}',
    ].join('\n'),
    'k.conf',
  );
  expect(issues).toEqual([]);
  const [binding] = routerBindings(config);
  expect(binding).toEqual({
    // What a reload compares.
    instance: config.instances[0],
    global: config.global,
    router: {
      name: 'VI_1',
      vrid: 7,
      version: 3,
      family: 'ipv4',
      priority: 120,
      advertIntervalMs: 2000,
      preempt: true,
      preemptDelayMs: 0,
      initialState: 'BACKUP',
      // Excluded addresses are installed but not advertised.
      virtualAddresses: ['192.0.2.100'],
      unicastPeers: [],
      lowerPrioNoAdvert: false,
      higherPrioSendAdvert: false,
      v2Interop: false,
      checksumFlavour: 'message-only',
      announcements: { masterRepeat: 5, masterDelayMs: 2000, masterRefreshMs: 0, masterRefreshRepeat: 1 },
    },
    interfaceName: 'eth0',
    destinations: ['224.0.0.19'],
    multicastGroup: '224.0.0.19',
    addresses: [
      { address: '192.0.2.100', prefixLength: 24, family: 'ipv4', device: 'eth1', label: 'eth1:v' },
      { address: '198.51.100.7', prefixLength: 32, family: 'ipv4', device: 'eth0' },
    ],
  });
});

test('unicast: advertisements go to each peer from unicast_src_ip; VRRPv3 drops v2 authentication', () => {
  const { config } = loadKeepalivedText(
    'vrrp_instance U {\n interface eth0\n virtual_router_id 9\n version 3\n unicast_src_ip 192.0.2.1\n unicast_peer {\n  192.0.2.2\n  192.0.2.3\n }\n authentication {\n  auth_type PASS\n  auth_pass x\n }\n virtual_ipaddress {\n  192.0.2.100\n }\n}\n',
    'k.conf',
  );
  const [binding] = routerBindings(config);
  expect(binding?.destinations).toEqual(['192.0.2.2', '192.0.2.3']);
  expect(binding?.unicastSource).toBe('192.0.2.1');
  expect(binding?.router.unicastPeers).toEqual(['192.0.2.2', '192.0.2.3']);
  expect(binding?.router.authentication).toBeUndefined();
});

test('use_vmac: the instance runs on the VMAC (vrrp.<VRID> or the given name), VIPs without dev go there, one VMAC spec per name', () => {
  const instance = (name: string, vrid: number, vmac: string, vips: string[]) => [
    `vrrp_instance ${name} {`,
    '  interface eth0',
    `  virtual_router_id ${vrid}`,
    '  priority 120',
    `  ${vmac}`,
    '  virtual_ipaddress {',
    ...vips.map((vip) => `    ${vip}`),
    '  }',
    '}',
  ];
  const { config, issues } = loadKeepalivedText(
    [
      ...instance('VI_1', 51, 'use_vmac', ['192.0.2.100/24', '198.51.100.7/32 dev eth0']),
      ...instance('VI_2', 52, 'use_vmac vmac6', ['2001:db8::100/64']),
      ...instance('VI_3', 53, '', ['192.0.2.103/24']),
    ].join('\n'),
    'k.conf',
  );
  expect(issues).toEqual([]);
  const bindings = routerBindings(config);
  expect(bindings.map((b) => [b.interfaceName, b.addresses.map((a) => a.device)])).toEqual([
    ['vrrp.51', ['vrrp.51', 'eth0']],
    ['vmac6', ['vmac6']],
    ['eth0', ['eth0']],
  ]);
  expect(vmacSpecs(config)).toEqual([
    { name: 'vrrp.51', parent: 'eth0', vrid: 51, family: 'ipv4' },
    { name: 'vmac6', parent: 'eth0', vrid: 52, family: 'ipv6' },
  ]);
});

test('gratuitous ARP / NA spacing per interface: the instance value, defaulting to global_defs, the largest when shared', () => {
  const { config, issues } = loadKeepalivedText(
    [
      'global_defs {',
      '  vrrp_garp_interval 0.01',
      '  vrrp_gna_interval 0.02',
      '}',
      'vrrp_instance A {', '  interface eth0', '  virtual_router_id 1', '  gna_interval 0.5', '  virtual_ipaddress {', '    2001:db8::1/64', '  }', '}',
      'vrrp_instance B {', '  interface eth0', '  virtual_router_id 2', '  garp_interval 0.3', '  virtual_ipaddress {', '    192.0.2.1/24', '  }', '}',
      'vrrp_instance C {', '  interface eth1', '  virtual_router_id 3', '  virtual_ipaddress {', '    192.0.2.2/24', '  }', '}',
    ].join('\n'),
    'k.conf',
  );
  expect(issues).toEqual([]);
  const pacing = announcePacing(config);
  expect(pacing).toMatchObject({ arpIntervalMs: 10, naIntervalMs: 20 });
  expect(Object.fromEntries(pacing.perInterface)).toEqual({
    eth0: { arpIntervalMs: 300, naIntervalMs: 500 },
    eth1: { arpIntervalMs: 10, naIntervalMs: 20 },
  });
});

test('garp_group: its intervals (else the global ones) for its interfaces; with interfaces, one shared pace', () => {
  const { config, issues } = loadKeepalivedText(
    [
      'global_defs {', '  vrrp_gna_interval 0.02', '}',
      'vrrp_instance A {', '  interface eth0', '  virtual_router_id 1', '  garp_interval 0.3', '  virtual_ipaddress {', '    192.0.2.1/24', '  }', '}',
      'garp_group {', '  garp_interval 0.05', '  interfaces {', '    eth0', '    eth1', '  }', '}',
      'garp_group {', '  gna_interval 0.1', '  interface eth2', '}',
    ].join('\n'),
    'k.conf',
  );
  expect(issues).toEqual([]);
  expect(config.garpGroups).toEqual([
    { arpIntervalMs: 50, interfaces: ['eth0', 'eth1'] },
    { naIntervalMs: 100, interfaces: ['eth2'] },
  ]);
  expect(Object.fromEntries(announcePacing(config).perInterface)).toEqual({
    eth0: { arpIntervalMs: 50, naIntervalMs: 20, group: '0' },
    eth1: { arpIntervalMs: 50, naIntervalMs: 20, group: '0' },
    eth2: { arpIntervalMs: 0, naIntervalMs: 100 },
  });
});

test('garp_group mistakes are located: no interface, both forms, an interface in two groups', () => {
  const { issues } = loadKeepalivedText(
    [
      'garp_group {', '  garp_interval 0.05', '}',
      'garp_group {', '  interface eth0', '  interfaces {', '    eth1', '  }', '}',
      'garp_group {', '  interface eth1', '}',
    ].join('\n'),
    'k.conf',
  );
  expect(issues.map(formatIssue)).toEqual([
    'k.conf:1:1: error: garp_group names no interface: give interface or interfaces',
    'k.conf:6:3: error: garp_group: interfaces after interface; give one of interface or interfaces per block',
    'k.conf:11:13: error: interface eth1 is already in another garp_group: an interface can be in one garp_group only',
  ]);
});
