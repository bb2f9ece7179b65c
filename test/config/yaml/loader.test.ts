// The YAML format: every key onto the same model the keepalived.conf loader gives, Deckhouse's
// KeepalivedInstance entries as they are, and every problem at its exact file:line:column.
import { describe, expect, test } from 'vitest';
import { formatIssue } from '../../../src/config/issues.js';
import { loadKeepalivedText } from '../../../src/config/keepalived/loader.js';
import { loadYamlFile, loadYamlText } from '../../../src/config/yaml/loader.js';
import { translateYaml } from '../../../src/config/yaml/translate.js';
import type { Statement } from '../../../src/config/keepalived/syntax.js';
import { detectInterfaces, type InterfaceResolver } from '../../../src/config/interface-detection.js';

function load(text: string, detected?: ReadonlyMap<string, string | undefined>) {
  const result = loadYamlText(text, 'c.yaml', detected ? { detected } : {});
  return { ...result, lines: result.issues.map(formatIssue) };
}

/** The same configuration in keepalived.conf; both must give one model. */
function conf(text: string) {
  const result = loadKeepalivedText(text, 'keepalived.conf');
  expect(result.issues.map(formatIssue)).toEqual([]);
  return result.config;
}

describe('keys onto the model', () => {
  test('global keys are keepalived global_defs keywords in camelCase', () => {
    const { config, lines } = load(`
global:
  routerId: lb1
  vrrpVersion: 3
  vrrpMcastGroup4: 224.0.0.19
  vrrpMcastGroup6: ff02::13
  vrrpStartupDelay: 2
  vrrpCheckUnicastSrc: true
  vrrpLowerPrioNoAdvert: true
  vrrpHigherPrioSendAdvert: true
  enableScriptSecurity: true
  scriptUser: nobody nogroup
  notifyFifo: /run/vrrpd.fifo
  maxAutoPriority: 10
  vrrpGarpMasterDelay: 2
  vrrpGarpMasterRepeat: 3
  vrrpGarpMasterRefresh: 60
  vrrpGarpMasterRefreshRepeat: 2
  vrrpGarpLowerPrioDelay: 4
  vrrpGarpLowerPrioRepeat: 1
  vrrpGarpInterval: 0.001
  vrrpGnaInterval: 0.002
`);
    expect(lines).toEqual([]);
    expect(config.global).toEqual(
      conf(`global_defs {
  router_id lb1
  vrrp_version 3
  vrrp_mcast_group4 224.0.0.19
  vrrp_mcast_group6 ff02::13
  vrrp_startup_delay 2
  vrrp_check_unicast_src
  vrrp_lower_prio_no_advert
  vrrp_higher_prio_send_advert
  enable_script_security
  script_user nobody nogroup
  notify_fifo /run/vrrpd.fifo
  max_auto_priority 10
  vrrp_garp_master_delay 2
  vrrp_garp_master_repeat 3
  vrrp_garp_master_refresh 60
  vrrp_garp_master_refresh_repeat 2
  vrrp_garp_lower_prio_delay 4
  vrrp_garp_lower_prio_repeat 1
  vrrp_garp_interval 0.001
  vrrp_gna_interval 0.002
}`).global,
    );
    expect(config.global).toMatchObject({ routerId: 'lb1', vrrpVersion: 3, startupDelayMs: 2000, scriptUser: 'nobody nogroup', maxAutoPriority: 10 });
  });

  test('every instance key, scripts and sync groups equal their keepalived.conf spelling', () => {
    const { config, lines } = load(`
vrrpScripts:
  chk_api:
    script: /usr/local/bin/check-api --fast
    interval: 2
    timeout: 3
    weight: -20
    reverse: true
    rise: 2
    fall: 3
    user: nobody
    initFail: true
vrrpInstances:
  - name: VI_1
    state: BACKUP
    interface: eth0
    virtualRouterId: 51
    priority: 150
    advertInt: 0.5
    version: 3
    preemptDelay: 10
    noAccept: true
    unicastSrcIp: 192.0.2.1
    unicastPeer:
      - 192.0.2.2
      - address: 192.0.2.3
        minTtl: 2
        maxTtl: 64
    mcastSrcIp: 192.0.2.1
    virtualIpaddress:
      - 192.0.2.100/24 dev eth0 label eth0:vip
      - address: 192.0.2.101/24
        dev: eth1
        scope: link
        brd: 192.0.2.255
    virtualIpaddressExcluded:
      - address: 2001:db8::10/64
        noDad: true
    trackInterface:
      - eth1 weight 10
      - name: eth2
        weight: -5
        reverse: true
    trackScript:
      - name: chk_api
        weight: 30
        reverse: false
    dontTrackPrimary: true
    lowerPrioNoAdvert: true
    higherPrioSendAdvert: true
    useVmac: vrrp51
    v3ChecksumAsV2: true
    notifyMaster: /bin/m
    notifyBackup: /bin/b
    notifyFault: /bin/f
    notifyStop: /bin/s
    notify: /bin/n
    debug: 2
    garpMasterDelay: 1
    garpMasterRepeat: 2
    garpMasterRefresh: 30
    garpMasterRefreshRepeat: 3
    garpLowerPrioDelay: 4
    garpLowerPrioRepeat: 5
    garpInterval: 0.01
    gnaInterval: 0.02
  - name: VI_2
    interface: eth0
    virtualRouterId: 52
    accept: true
    nopreempt: true
    useVmac: true
    virtualIpaddress: [192.0.2.200]
syncGroups:
  G1:
    group: [VI_1, VI_2]
    trackScript: [chk_api]
    trackInterface: [eth3]
    notifyMaster: /bin/gm
    notify: /bin/gn
    syncGroupTrackingWeight: true
`);
    expect(lines).toEqual([]);
    expect(config).toEqual(
      conf(`
vrrp_script chk_api {
  script "/usr/local/bin/check-api --fast"
  interval 2
  timeout 3
  weight -20 reverse
  rise 2
  fall 3
  user nobody
  init_fail
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 0.5
  version 3
  preempt_delay 10
  no_accept
  unicast_src_ip 192.0.2.1
  unicast_peer {
    192.0.2.2
    192.0.2.3 min_ttl 2 max_ttl 64
  }
  mcast_src_ip 192.0.2.1
  virtual_ipaddress {
    192.0.2.100/24 dev eth0 label eth0:vip
    192.0.2.101/24 dev eth1 scope link brd 192.0.2.255
  }
  virtual_ipaddress_excluded {
    2001:db8::10/64 no_dad
  }
  track_interface {
    eth1 weight 10
    eth2 weight -5 reverse
  }
  track_script {
    chk_api weight 30 noreverse
  }
  dont_track_primary
  lower_prio_no_advert
  higher_prio_send_advert
  use_vmac vrrp51
  v3_checksum_as_v2
  notify_master /bin/m
  notify_backup /bin/b
  notify_fault /bin/f
  notify_stop /bin/s
  notify /bin/n
  debug 2
  garp_master_delay 1
  garp_master_repeat 2
  garp_master_refresh 30
  garp_master_refresh_repeat 3
  garp_lower_prio_delay 4
  garp_lower_prio_repeat 5
  garp_interval 0.01
  gna_interval 0.02
}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 52
  accept
  nopreempt
  use_vmac
  virtual_ipaddress {
    192.0.2.200
  }
}
vrrp_sync_group G1 {
  group {
    VI_1
    VI_2
  }
  track_script {
    chk_api
  }
  track_interface {
    eth3
  }
  notify_master /bin/gm
  notify /bin/gn
  sync_group_tracking_weight
}`),
    );
  });

  test('plural spellings and synonyms: unicastPeers, trackScripts, trackInterfaces, virtualRouterId = id', () => {
    const { config, lines } = load(`
vrrpScripts: {chk: {script: /bin/true}}
vrrpInstances:
  - {name: A, interface: eth0, id: 7, unicastPeers: [192.0.2.9], trackScripts: [chk], trackInterfaces: [eth1], virtualIPAddresses: [{address: 192.0.2.7/32}]}
`);
    expect(lines).toEqual([]);
    expect(config.instances[0]).toMatchObject({
      name: 'A',
      virtualRouterId: 7,
      unicastPeers: [{ address: '192.0.2.9' }],
      trackScripts: [{ name: 'chk' }],
      trackInterfaces: [{ name: 'eth1', weight: 0, reverse: false }],
      virtualAddresses: [{ address: '192.0.2.7', prefixLength: 32, family: 'ipv4' }],
    });
  });
});

describe("Deckhouse's KeepalivedInstance vrrpInstances entries", () => {
  const deckhouse = `
vrrpInstances:
  - id: 1
    interface:
      detectionStrategy: Name
      name: eth0
    virtualIPAddresses:
      - address: 192.0.2.15/32
      - address: 198.51.100.15/32
        interface:
          detectionStrategy: Name
          name: eth1
  - id: 2
    preempt: false
    interface:
      detectionStrategy: DefaultRoute
    virtualIPAddresses:
      - address: 203.0.113.15/32
        interface:
          detectionStrategy: NetworkAddress
          networkAddress: 203.0.113.0/24
`;

  test('named instance_<id>, preempt false is nopreempt, Name strategy is the interface name, defaults are keepalived\'s', () => {
    const { config, lines } = load(deckhouse, new Map([['DefaultRoute/ipv4', 'eth0'], ['NetworkAddress/203.0.113.0/24', 'eth2']]));
    expect(lines).toEqual([]);
    expect(config.instances.map((i) => [i.name, i.interface, i.virtualRouterId, i.preempt, i.priority, i.version])).toEqual([
      ['instance_1', 'eth0', 1, true, 100, 2],
      ['instance_2', 'eth0', 2, false, 100, 2],
    ]);
    expect(config.instances[0]?.virtualAddresses.map((a) => [a.address, a.prefixLength, a.device])).toEqual([
      ['192.0.2.15', 32, undefined],
      ['198.51.100.15', 32, 'eth1'],
    ]);
    expect(config.instances[1]?.virtualAddresses[0]?.device).toBe('eth2');
  });

  test('a whole KeepalivedInstance manifest reads its spec (nodeSelector and tolerations are the scheduler\'s)', () => {
    const { config, lines } = load(`apiVersion: deckhouse.io/v1alpha1
kind: KeepalivedInstance
metadata:
  name: front
spec:
  nodeSelector:
    node-role/frontend: ''
  tolerations: []
  vrrpInstances:
    - id: 3
      interface: {detectionStrategy: Name, name: eth0}
      virtualIPAddresses: [{address: 192.0.2.3/32}]
`);
    expect(lines).toEqual([]);
    expect(config.instances.map((i) => i.name)).toEqual(['instance_3']);
  });

  test('without the host, detection is a warning at detectionStrategy and the check goes on', () => {
    const { lines, detections } = load(deckhouse);
    expect(lines).toEqual([
      'c.yaml:16:26: warning: interface detection (the interface of the IPv4 default route) happens when vrrpd starts on the host; not checked here',
      'c.yaml:20:30: warning: interface detection (the interface with an address in 203.0.113.0/24) happens when vrrpd starts on the host; not checked here',
    ]);
    expect(detections.map((d) => d.detection)).toEqual([
      { strategy: 'DefaultRoute', family: 'ipv4' },
      { strategy: 'NetworkAddress', network: '203.0.113.0', prefixLength: 24, family: 'ipv4' },
    ]);
  });

  test('detection the host cannot answer is an error at detectionStrategy', () => {
    const { lines } = load(deckhouse, new Map([['DefaultRoute/ipv4', undefined], ['NetworkAddress/203.0.113.0/24', 'eth2']]));
    expect(lines).toEqual(['c.yaml:16:26: error: interface detection found no interface: no interface of the IPv4 default route on this host']);
  });

  test('an IPv6 instance detects through the IPv6 default route; the resolver is asked once per distinct detection', async () => {
    const asked: string[] = [];
    const resolver: InterfaceResolver = {
      defaultRouteInterface: async (family) => (asked.push(`route ${family}`), 'eth6'),
      interfaceInNetwork: async (network, prefix) => (asked.push(`net ${network}/${prefix}`), 'eth9'),
    };
    const text = `
vrrpInstances:
  - {id: 1, interface: {detectionStrategy: DefaultRoute}, virtualIPAddresses: [{address: "2001:db8::1/64"}]}
  - {id: 2, interface: {detectionStrategy: DefaultRoute}, virtualIPAddresses: [{address: "2001:db8::2/64"}]}
`;
    const first = load(text);
    const detected = await detectInterfaces(first.detections, resolver);
    expect(asked).toEqual(['route ipv6']);
    const { config, lines } = load(text, detected);
    expect(lines).toEqual([]);
    expect(config.instances.map((i) => [i.interface, i.family, i.version])).toEqual([
      ['eth6', 'ipv6', 3],
      ['eth6', 'ipv6', 3],
    ]);
  });
});

describe('problems, each with its position', () => {
  const cases: [string, string, string[]][] = [
    ['a misspelt key, with the nearest valid one', 'vrrpInstances:\n  - {id: 1, interface: eth0, priorty: 90, virtualIPAddresses: [192.0.2.1]}\n', ['c.yaml:2:30: warning: unknown key "priorty" in vrrpInstances[0] (did you mean priority?); ignored']],
    ['a misspelt top-level key', 'vrrpInstance: []\n', ['c.yaml:1:1: warning: unknown key "vrrpInstance" in the configuration (did you mean vrrpInstances?); ignored']],
    ['a misspelt global key', 'global:\n  routerID: x\n', ['c.yaml:2:3: warning: unknown key "routerID" in global (did you mean routerId?); ignored']],
    ['a misspelt script key', 'vrrpScripts:\n  chk:\n    script: /bin/true\n    intreval: 2\n', ['c.yaml:4:5: warning: unknown key "intreval" in vrrp_script chk (did you mean interval?); ignored']],
    ['a misspelt address key', 'vrrpInstances:\n  - id: 1\n    interface: eth0\n    virtualIPAddresses:\n      - {address: 192.0.2.1, lable: x}\n', ['c.yaml:5:30: warning: unknown key "lable" in virtualIPAddresses[0] (did you mean label?); ignored']],
    ['a misspelt detection key', 'vrrpInstances:\n  - id: 1\n    interface: {detectionStrategy: Name, nmae: eth0}\n', [
      'c.yaml:3:42: warning: unknown key "nmae" in interface (did you mean name?); ignored',
      'c.yaml:3:36: error: interface: detectionStrategy Name needs name',
      'c.yaml:2:5: error: vrrp_instance instance_1 needs an interface',
    ]],
    ['an out-of-range priority', 'vrrpInstances:\n  - id: 1\n    interface: eth0\n    priority: 300\n    virtualIPAddresses: [192.0.2.1]\n', ['c.yaml:4:15: error: priority "300" is not valid: expected a whole number 1..255']],
    ['a bad advert interval, worded with the YAML key', 'vrrpInstances:\n  - id: 1\n    interface: eth0\n    advertInt: soon\n    virtualIPAddresses: [192.0.2.1]\n', ['c.yaml:4:16: error: advertInt "soon" is not valid: expected seconds 0..255 (decimals allowed)']],
    ['a VRID out of range', 'vrrpInstances:\n  - id: 256\n    interface: eth0\n    virtualIPAddresses: [192.0.2.1]\n', ['c.yaml:2:9: error: virtualRouterId "256" is not valid: expected a whole number 1..255']],
    ['no VRID', 'vrrpInstances:\n  - name: A\n    interface: eth0\n    virtualIPAddresses: [192.0.2.1]\n', ['c.yaml:2:5: error: vrrp_instance A needs a virtualRouterId (1..255)']],
    ['a list where a value belongs', 'vrrpInstances:\n  - id: 1\n    interface: eth0\n    priority: [1, 2]\n    virtualIPAddresses: [192.0.2.1]\n', [
      'c.yaml:4:15: error: priority must be a single value, not a list',
      'c.yaml:4:5: error: priority needs a whole number 1..255',
    ]],
    ['a flag that is not a boolean', 'vrrpInstances:\n  - id: 1\n    interface: eth0\n    preempt: sometimes\n    virtualIPAddresses: [192.0.2.1]\n', ['c.yaml:4:14: error: preempt must be true or false']],
    ['an unknown detection strategy', 'vrrpInstances:\n  - id: 1\n    interface: {detectionStrategy: Gateway}\n', [
      'c.yaml:3:36: error: interface: detectionStrategy "Gateway" is not valid: expected Name, NetworkAddress or DefaultRoute',
      'c.yaml:2:5: error: vrrp_instance instance_1 needs an interface',
    ]],
    ['NetworkAddress without networkAddress', 'vrrpInstances:\n  - id: 1\n    interface: {detectionStrategy: NetworkAddress}\n', [
      'c.yaml:3:36: error: interface: detectionStrategy NetworkAddress needs networkAddress (a network such as 192.0.2.0/24)',
      'c.yaml:2:5: error: vrrp_instance instance_1 needs an interface',
    ]],
    ['a bad networkAddress', 'vrrpInstances:\n  - id: 1\n    interface: {detectionStrategy: NetworkAddress, networkAddress: 192.0.2.0/40}\n', [
      'c.yaml:3:68: error: interface.networkAddress: prefix length "40" of 192.0.2.0 is not valid: must be 0..32',
      'c.yaml:2:5: error: vrrp_instance instance_1 needs an interface',
    ]],
    ['a bad address', 'vrrpInstances:\n  - id: 1\n    interface: eth0\n    virtualIPAddresses: [{address: 192.0.2.300/32}]\n', ['c.yaml:4:36: error: "192.0.2.300" is not an IPv4 or IPv6 address', 'c.yaml:4:5: warning: vrrp_instance instance_1 has no virtualIpaddress']],
    ['an address entry without address', 'vrrpInstances:\n  - id: 1\n    interface: eth0\n    virtualIPAddresses: [{label: x}]\n', ['c.yaml:4:26: error: virtualIPAddresses[0] needs address', 'c.yaml:4:5: warning: vrrp_instance instance_1 has no virtualIpaddress']],
    ['a peer of the wrong family', 'vrrpInstances:\n  - id: 1\n    interface: eth0\n    unicastPeers: ["2001:db8::2"]\n    virtualIPAddresses: [192.0.2.1]\n', ['c.yaml:4:20: error: unicastPeer 2001:db8::2 is an ipv6 address: the instance is ipv4']],
    ['an undefined track script', 'vrrpInstances:\n  - id: 1\n    interface: eth0\n    trackScripts: [chk]\n    virtualIPAddresses: [192.0.2.1]\n', ['c.yaml:4:20: error: trackScript chk is not defined by any vrrp_script']],
    ['a duplicate VRID on one interface', 'vrrpInstances:\n  - {id: 5, interface: eth0, virtualIPAddresses: [192.0.2.1]}\n  - {name: B, id: 5, interface: eth0, virtualIPAddresses: [192.0.2.2]}\n', ['c.yaml:3:19: error: virtualRouterId 5 is already used by instance_5 on eth0 (ipv4); each virtual router on a link needs its own VRID']],
    ['a duplicate VRID on the same detected interface, checked off the host', 'vrrpInstances:\n  - {id: 5, interface: {detectionStrategy: DefaultRoute}, virtualIPAddresses: [192.0.2.1]}\n  - {name: B, id: 5, interface: {detectionStrategy: DefaultRoute}, virtualIPAddresses: [192.0.2.2]}\n', [
      'c.yaml:2:44: warning: interface detection (the interface of the IPv4 default route) happens when vrrpd starts on the host; not checked here',
      'c.yaml:3:53: warning: interface detection (the interface of the IPv4 default route) happens when vrrpd starts on the host; not checked here',
      'c.yaml:3:19: error: virtualRouterId 5 is already used by instance_5 on (DefaultRoute) (ipv4); each virtual router on a link needs its own VRID',
    ]],
    ['a key written twice', 'vrrpInstances: []\nvrrpInstances: []\n', ['c.yaml:2:1: error: YAML: Map keys must be unique']],
    ['broken YAML', 'vrrpInstances:\n  - id: 1\n   interface: eth0\n', ['c.yaml:3:1: error: YAML: Sequence item without - indicator']],
    ['a document that is not a mapping', '- a\n- b\n', ['c.yaml:1:1: error: the configuration must be a mapping (key: value lines)']],
    ['vrrpInstances that is not a list', 'vrrpInstances: {id: 1}\n', ['c.yaml:1:16: error: vrrpInstances must be a list']],
  ];
  test.each(cases)('%s', (_, text, expected) => {
    expect(load(text).lines).toEqual(expected);
  });

  test('an empty file is an empty configuration', () => {
    const { config, lines } = load('');
    expect(lines).toEqual([]);
    expect(config.instances).toEqual([]);
  });
});

describe('track files and processes (read by the keepalived loader as track_file / vrrp_track_process)', () => {
  const words = (statement: Statement): unknown => ({
    keyword: statement.keyword.text,
    args: statement.args.map((word) => word.text),
    ...(statement.children ? { children: statement.children.map(words) } : {}),
  });

  test('trackFiles and vrrpTrackProcesses become the keepalived blocks, reverse joining weight', () => {
    const { statements, issues } = translateYaml(
      `trackFiles:
  maintenance:
    file: /run/maintenance
    weight: -50
    reverse: true
    initFile: 0 overwrite
vrrpTrackProcesses:
  nginx:
    process: nginx -g
    paramMatch: initial
    fullCommand: true
    quorum: 2
    quorumMax: 4
    delay: 1
    forkDelay: 2
    terminateDelay: 3
    weight: 10
vrrpInstances:
  - {id: 1, interface: eth0, trackFiles: [{name: maintenance, weight: 5}], trackProcesses: ["nginx weight 2 reverse"]}
`,
      { file: 'c.yaml' },
    );
    expect(issues).toEqual([]);
    expect(statements.map(words)).toEqual([
      { keyword: 'track_file', args: ['maintenance'], children: [
        { keyword: 'file', args: ['/run/maintenance'] },
        { keyword: 'weight', args: ['-50', 'reverse'] },
        { keyword: 'init_file', args: ['0', 'overwrite'] },
      ] },
      { keyword: 'vrrp_track_process', args: ['nginx'], children: [
        { keyword: 'process', args: ['nginx', '-g'] },
        { keyword: 'param_match', args: ['initial'] },
        { keyword: 'full_command', args: [] },
        { keyword: 'quorum', args: ['2'] },
        { keyword: 'quorum_max', args: ['4'] },
        { keyword: 'delay', args: ['1'] },
        { keyword: 'fork_delay', args: ['2'] },
        { keyword: 'terminate_delay', args: ['3'] },
        { keyword: 'weight', args: ['10'] },
      ] },
      { keyword: 'vrrp_instance', args: ['instance_1'], children: [
        { keyword: 'virtual_router_id', args: ['1'] },
        { keyword: 'interface', args: ['eth0'] },
        { keyword: 'track_file', args: [], children: [{ keyword: 'maintenance', args: ['weight', '5'] }] },
        { keyword: 'track_process', args: [], children: [{ keyword: 'nginx', args: ['weight', '2', 'reverse'] }] },
      ] },
    ]);
  });

  test('words of a one-line value keep their own columns', () => {
    const { statements } = translateYaml('vrrpInstances:\n  - virtualIpaddress: [192.0.2.1/24 dev eth0]\n', { file: 'c.yaml' });
    const entry = statements[0]?.children?.[0]?.children?.[0];
    expect((entry ? [entry.keyword, ...entry.args] : []).map((word) => `${word.text}@${word.location.column}`)).toEqual(['192.0.2.1/24@24', 'dev@37', 'eth0@41']);
  });
});

test('an unreadable file is one error for the file as a whole', () => {
  const result = loadYamlFile('/nonexistent/vrrpd.yaml');
  expect(result.issues.map(formatIssue)).toEqual(['/nonexistent/vrrpd.yaml: error: cannot read /nonexistent/vrrpd.yaml: no such file']);
});
