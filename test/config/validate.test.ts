// Validation of the configuration model: one case per check with its exact message, a complete
// valid configuration with no issue, and how issues are located and printed.
import { describe, expect, test } from 'vitest';
import { familyOf, parseAddressWithPrefix } from '../../src/config/addresses.js';
import type { CheckerConfig, HttpCheckerConfig } from '../../src/config/checkers.js';
import { ConfigError, formatIssue, hasErrors, locateIssues, type ConfigIssue } from '../../src/config/issues.js';
import { DEFAULTS } from '../../src/config/defaults.js';
import type { GlobalDefs, SyncGroupConfig, VrrpdConfig, VrrpInstanceConfig } from '../../src/config/model.js';
import { parentPaths } from '../../src/config/paths.js';
import { validateConfig } from '../../src/config/validate.js';
import { config, instance, script, syncGroup, trackFile, trackProcess, vip } from './builders.js';

/** `severity path: message`, so a failing test shows all three. */
const lines = (issues: readonly ConfigIssue[]): string[] => issues.map((issue) => `${issue.severity} ${issue.path}: ${issue.message}`);
const check = (configuration: VrrpdConfig): string[] => lines(validateConfig(configuration));
const checkInstance = (overrides: Partial<VrrpInstanceConfig>): string[] => check(config({ instances: [instance(overrides)] }));
const checkGlobal = (overrides: Partial<GlobalDefs>): string[] => check(config({ global: { ...DEFAULTS.global, ...overrides } }));
const v6Instance = (overrides: Partial<VrrpInstanceConfig> = {}): VrrpInstanceConfig =>
  instance({ family: 'ipv6', virtualAddresses: [vip('2001:db8::1', 64)], ...overrides });

/** A configuration using most of the model, as a careful operator would write it. */
function fullConfig(): VrrpdConfig {
  return {
    global: { ...DEFAULTS.global, routerId: 'lb-1', notifyFifo: '/run/vrrpd/notify.fifo', garp: { ...DEFAULTS.garp, masterRefreshMs: 60_000 }, maxAutoPriority: 10 },
    scripts: [script({ name: 'chk_haproxy', script: '/usr/bin/killall -0 haproxy', intervalMs: 2000, timeoutMs: 1500, weight: -30, rise: 2, fall: 2 }), script({ name: 'chk_db' })],
    trackFiles: [trackFile({ name: 'maintenance', path: '/run/vrrpd/maintenance', weight: -1, initFile: { value: 0, overwrite: false } })],
    trackProcesses: [trackProcess({ name: 'haproxy', quorum: 1, quorumMax: 8, forkDelayMs: 500, terminateDelayMs: 500 })],
    instances: [
      instance({
        name: 'VI_WEB',
        version: 2,
        priority: 150,
        authentication: { type: 'PASS', password: 'k8s-vip1' },
        virtualAddresses: [vip('192.0.2.10', 24, { label: 'eth0:web', broadcast: '192.0.2.255', scope: 'global' }), vip('192.0.2.11', 24, { device: 'eth1' })],
        // Not advertised, so the other family is fine here.
        excludedAddresses: [vip('2001:db8::10', 64, { noDad: true })],
        trackInterfaces: [{ name: 'eth1', weight: -20, reverse: false }],
        trackScripts: [{ name: 'chk_haproxy' }],
        trackFiles: [{ name: 'maintenance', weight: 50 }],
        trackProcesses: [{ name: 'haproxy', weight: -10, reverse: false }],
        notify: { master: '/etc/vrrpd/notify.sh master', any: '/etc/vrrpd/notify-any.sh' },
      }),
      v6Instance({
        name: 'VI_V6',
        interface: 'eth1',
        virtualRouterId: 61,
        advertIntervalMs: 500,
        preempt: false,
        unicastSourceIp: '2001:db8:1::3',
        unicastPeers: [{ address: '2001:db8:1::1', minTtl: 255 }, { address: '2001:db8:1::2', maxTtl: 255 }],
        virtualAddresses: [vip('2001:db8:1::100', 64, { noDad: true })],
      }),
      instance({ name: 'VI_GW', virtualRouterId: 52, priority: 255, initialState: 'MASTER', virtualAddresses: [vip('198.51.100.1', 24)], trackInterfaces: [{ name: 'eth2', weight: 0, reverse: false }] }),
      instance({ name: 'VI_DB_A', virtualRouterId: 53, advertIntervalMs: 100, virtualAddresses: [vip('203.0.113.5', 24)], useVmac: { name: 'vrrp.53' } }),
      instance({ name: 'VI_DB_B', virtualRouterId: 54, advertIntervalMs: 100, virtualAddresses: [vip('203.0.113.6', 24)], multicastSourceIp: '203.0.113.2' }),
    ],
    syncGroups: [syncGroup({ name: 'G_DB', members: ['VI_DB_A', 'VI_DB_B'], trackScripts: [{ name: 'chk_db' }], notify: { any: '/etc/vrrpd/group.sh' } })],
  };
}

describe('a valid configuration', () => {
  test('the smallest one has no issues', () => {
    expect(check(config())).toEqual([]);
  });

  test('a full one has no issues', () => {
    expect(check(fullConfig())).toEqual([]);
  });
});

describe('global_defs', () => {
  test.each<[string, Partial<GlobalDefs>, string]>([
    ['vrrp_mcast_group4 of the other family', { mcastGroup4: 'ff02::12' }, 'error global.mcastGroup4: vrrp_mcast_group4 ff02::12 is not valid: must be an IPv4 multicast address (224.0.0.0/4); the VRRP group is 224.0.0.18'],
    ['vrrp_mcast_group4 not multicast', { mcastGroup4: '192.0.2.18' }, 'error global.mcastGroup4: vrrp_mcast_group4 192.0.2.18 is not valid: must be an IPv4 multicast address (224.0.0.0/4); the VRRP group is 224.0.0.18'],
    ['vrrp_mcast_group6 not link-local scope', { mcastGroup6: 'ff05::12' }, 'error global.mcastGroup6: vrrp_mcast_group6 ff05::12 is not valid: must be a link-local IPv6 multicast address (ffX2::/16); the VRRP group is ff02::12'],
    ['vrrp_mcast_group6 not an address', { mcastGroup6: 'vrrp' }, 'error global.mcastGroup6: vrrp_mcast_group6 vrrp is not valid: must be a link-local IPv6 multicast address (ffX2::/16); the VRRP group is ff02::12'],
    ['vrrp_startup_delay negative', { startupDelayMs: -1000 }, 'error global.startupDelayMs: vrrp_startup_delay -1 s is out of range: must be 0 or more seconds'],
    ['max_auto_priority above 99', { maxAutoPriority: 100 }, 'error global.maxAutoPriority: max_auto_priority 100 is out of range: must be -1..99 (0 = off)'],
    ['vrrp_garp_master_repeat 0', { garp: { ...DEFAULTS.garp, masterRepeat: 0 } }, 'error global.garp.masterRepeat: vrrp_garp_master_repeat 0 is out of range: must be a whole number, 1 or more'],
    ['vrrp_garp_master_refresh_repeat 0', { garp: { ...DEFAULTS.garp, masterRefreshRepeat: 0 } }, 'error global.garp.masterRefreshRepeat: vrrp_garp_master_refresh_repeat 0 is out of range: must be a whole number, 1 or more'],
    ['vrrp_garp_lower_prio_repeat negative', { garp: { ...DEFAULTS.garp, lowerPrioRepeat: -1 } }, 'error global.garp.lowerPrioRepeat: vrrp_garp_lower_prio_repeat -1 is out of range: must be a whole number, 0 or more'],
    ['vrrp_garp_interval negative', { garp: { ...DEFAULTS.garp, arpIntervalMs: -1 } }, 'error global.garp.arpIntervalMs: vrrp_garp_interval -0.001 s is out of range: must be 0 or more seconds'],
  ])('%s', (_name, overrides: Partial<GlobalDefs>, message) => {
    expect(checkGlobal(overrides)).toEqual([message]);
  });

  test('max_auto_priority -1 (off, without the warning) is allowed', () => {
    expect(checkGlobal({ maxAutoPriority: -1 })).toEqual([]);
  });
});

describe('vrrp_instance', () => {
  test.each<[string, Partial<VrrpInstanceConfig>, string]>([
    ['no interface', { interface: '' }, 'error instances[VI_1].interface: vrrp_instance VI_1 has no interface: set the interface VRRP runs on'],
    ['interface name too long', { interface: 'bond0.1234-uplink' }, 'error instances[VI_1].interface: interface bond0.1234-uplink is too long: Linux interface names have at most 15 characters'],
    ['interface name with a slash', { interface: 'eth0/1' }, 'error instances[VI_1].interface: interface "eth0/1" is not a valid interface name: it must be 1..15 characters without "/", ":" or spaces'],
    ['VRID 0', { virtualRouterId: 0 }, 'error instances[VI_1].virtualRouterId: virtual_router_id 0 is out of range: must be 1..255'],
    ['VRID 256', { virtualRouterId: 256 }, 'error instances[VI_1].virtualRouterId: virtual_router_id 256 is out of range: must be 1..255'],
    ['priority 0', { priority: 0 }, 'error instances[VI_1].priority: priority 0 is out of range: must be 1..255 (255 = address owner)'],
    ['priority 300', { priority: 300 }, 'error instances[VI_1].priority: priority 300 is out of range: must be 1..255 (255 = address owner)'],
    ['v2 sub-second interval', { version: 2, advertIntervalMs: 500 }, 'error instances[VI_1].advertIntervalMs: advert_int 0.5 s is not valid for VRRPv2: must be whole seconds 1..255 (RFC 3768 §5.3.7)'],
    ['v2 interval above 255 s', { version: 2, advertIntervalMs: 256_000 }, 'error instances[VI_1].advertIntervalMs: advert_int 256 s is not valid for VRRPv2: must be whole seconds 1..255 (RFC 3768 §5.3.7)'],
    ['v3 interval below 10 ms', { advertIntervalMs: 5 }, 'error instances[VI_1].advertIntervalMs: advert_int 0.005 s is not valid for VRRPv3: must be 0.01..40.95 s in steps of 0.01 s (RFC 5798 §5.2.7)'],
    ['v3 interval above 40.95 s', { advertIntervalMs: 41_000 }, 'error instances[VI_1].advertIntervalMs: advert_int 41 s is not valid for VRRPv3: must be 0.01..40.95 s in steps of 0.01 s (RFC 5798 §5.2.7)'],
    ['v3 interval off the 10 ms grid', { advertIntervalMs: 1005 }, 'error instances[VI_1].advertIntervalMs: advert_int 1.005 s is not valid for VRRPv3: must be 0.01..40.95 s in steps of 0.01 s (RFC 5798 §5.2.7)'],
    ['preempt_delay above 1000 s', { preemptDelayMs: 2_000_000 }, 'error instances[VI_1].preemptDelayMs: preempt_delay 2000 s is out of range: must be 0..1000 s'],
    ['preempt_delay negative', { preemptDelayMs: -1 }, 'error instances[VI_1].preemptDelayMs: preempt_delay -0.001 s is out of range: must be 0..1000 s'],
    ['state MASTER with nopreempt', { initialState: 'MASTER', preempt: false }, 'warning instances[VI_1].initialState: nopreempt is ignored with state MASTER (as keepalived does): set state BACKUP for nopreempt to work'],
    ['state MASTER with preempt_delay', { initialState: 'MASTER', preemptDelayMs: 30_000 }, 'warning instances[VI_1].initialState: preempt_delay 30 s is ignored with state MASTER (as keepalived does): set state BACKUP for preempt_delay to work'],
    ['address owner with nopreempt', { priority: 255, preempt: false }, 'warning instances[VI_1].priority: nopreempt is ignored with priority 255: the address owner always preempts (RFC 5798 §6.1)'],
    ['preempt_delay with nopreempt', { preempt: false, preemptDelayMs: 5000 }, 'warning instances[VI_1].preemptDelayMs: preempt_delay 5 s has no effect with nopreempt: this instance never preempts'],
    ['authentication with VRRPv3', { authentication: { type: 'PASS', password: 'secret' } }, 'warning instances[VI_1].authentication: authentication is ignored with VRRPv3 (RFC 5798 removed it), as keepalived does'],
    ['auth_pass longer than 8', { version: 2, authentication: { type: 'PASS', password: 'much-too-long' } }, 'warning instances[VI_1].authentication.password: auth_pass is 13 characters; only the first 8 ("much-too") are used, as in keepalived'],
    ['use_vmac name too long', { useVmac: { name: 'vrrp-vmac-for-db-51' } }, 'error instances[VI_1].useVmac: use_vmac vrrp-vmac-for-db-51 is too long: Linux interface names have at most 15 characters'],
    ['debug above 4', { debug: 7 }, 'error instances[VI_1].debug: debug 7 is out of range: must be 0..4'],
    ['garp_master_repeat 0', { garp: { ...DEFAULTS.garp, masterRepeat: 0 } }, 'error instances[VI_1].garp.masterRepeat: garp_master_repeat 0 is out of range: must be a whole number, 1 or more'],
    ['garp_master_delay negative', { garp: { ...DEFAULTS.garp, masterDelayMs: -5000 } }, 'error instances[VI_1].garp.masterDelayMs: garp_master_delay -5 s is out of range: must be 0 or more seconds'],
  ])('%s', (_name, overrides: Partial<VrrpInstanceConfig>, message) => {
    expect(checkInstance(overrides)).toEqual([message]);
  });

  test('VRRPv2 over IPv6 is refused', () => {
    expect(check(config({ instances: [v6Instance({ version: 2 })] }))).toEqual([
      'error instances[VI_1].version: version 2 is not valid for IPv6 addresses: VRRPv2 is IPv4 only (RFC 3768); use version 3',
    ]);
  });

  test('valid intervals at the edges of each version', () => {
    for (const advertIntervalMs of [1000, 255_000]) expect(checkInstance({ version: 2, advertIntervalMs })).toEqual([]);
    for (const advertIntervalMs of [10, 40_950]) expect(checkInstance({ advertIntervalMs })).toEqual([]);
  });

  test('an 8-character password is used whole', () => {
    expect(checkInstance({ version: 2, authentication: { type: 'PASS', password: '12345678' } })).toEqual([]);
  });
});

describe('virtual addresses', () => {
  test.each<[string, Partial<VrrpInstanceConfig>, string]>([
    ['none with VRRPv3', { virtualAddresses: [] }, 'error instances[VI_1].virtualAddresses: vrrp_instance VI_1 has no virtual_ipaddress: VRRPv3 and vrrp_strict need at least one (RFC 5798 §5.2.5)'],
    ['none with VRRPv2', { version: 2, virtualAddresses: [] }, 'warning instances[VI_1].virtualAddresses: vrrp_instance VI_1 has no virtual_ipaddress'],
    ['malformed', { virtualAddresses: [vip('192.0.2.300', 24)] }, 'error instances[VI_1].virtualAddresses[0]: virtual_ipaddress "192.0.2.300" is not an IPv4 or IPv6 address'],
    ['of the other family', { virtualAddresses: [vip('192.0.2.100', 24), vip('2001:db8::1', 64)] }, "error instances[VI_1].virtualAddresses[1]: 2001:db8::1 is ipv6, the instance's addresses are ipv4: use a separate vrrp_instance per family, or virtual_ipaddress_excluded"],
    ['family recorded wrongly', { virtualAddresses: [vip('192.0.2.100', 24, { family: 'ipv6' })] }, 'error instances[VI_1].virtualAddresses[0]: virtual_ipaddress 192.0.2.100 is ipv4 but is recorded as ipv6'],
    ['prefix length 33', { virtualAddresses: [vip('192.0.2.100', 33)] }, 'error instances[VI_1].virtualAddresses[0]: prefix length 33 of 192.0.2.100 is out of range: must be 0..32'],
    ['multicast', { virtualAddresses: [vip('224.0.0.18', 32)] }, 'error instances[VI_1].virtualAddresses[0]: virtual_ipaddress 224.0.0.18 is a multicast address: a virtual address must be a unicast address'],
    ['unspecified', { virtualAddresses: [vip('0.0.0.0', 0)] }, 'error instances[VI_1].virtualAddresses[0]: virtual_ipaddress 0.0.0.0 is a unspecified address: a virtual address must be a unicast address'],
    ['brd not an address', { virtualAddresses: [vip('192.0.2.100', 24, { broadcast: '192.0.2' })] }, 'error instances[VI_1].virtualAddresses[0]: brd 192.0.2 of 192.0.2.100 is not valid: must be an IPv4 address'],
    ['unknown scope', { virtualAddresses: [vip('192.0.2.100', 24, { scope: 'universe' })] }, 'error instances[VI_1].virtualAddresses[0]: scope universe of 192.0.2.100 is not valid: must be global, site, link, host or nowhere'],
    ['label too long', { virtualAddresses: [vip('192.0.2.100', 24, { label: 'eth0:frontend-vip' })] }, 'error instances[VI_1].virtualAddresses[0]: label eth0:frontend-vip of 192.0.2.100 is too long: Linux allows at most 15 characters'],
    ['no_dad on IPv4', { virtualAddresses: [vip('192.0.2.100', 24, { noDad: true })] }, 'warning instances[VI_1].virtualAddresses[0]: no_dad of 192.0.2.100 is ignored: Duplicate Address Detection is IPv6 only'],
    ['dev not an interface name', { virtualAddresses: [vip('192.0.2.100', 24, { device: 'eth 1' })] }, 'error instances[VI_1].virtualAddresses[0]: dev of 192.0.2.100 "eth 1" is not a valid interface name: it must be 1..15 characters without "/", ":" or spaces'],
    ['brd on an IPv6 excluded address', { excludedAddresses: [vip('2001:db8::10', 64, { broadcast: '2001:db8::ff' })] }, 'error instances[VI_1].excludedAddresses[0]: brd 2001:db8::ff of 2001:db8::10 is not valid: IPv6 has no broadcast address'],
    ['label on an IPv6 excluded address', { excludedAddresses: [vip('2001:db8::10', 64, { label: 'eth0:v6' })] }, 'warning instances[VI_1].excludedAddresses[0]: label eth0:v6 of 2001:db8::10 is ignored: labels apply to IPv4 addresses only'],
    ['malformed excluded address', { excludedAddresses: [vip('2001:db8::g', 64)] }, 'error instances[VI_1].excludedAddresses[0]: virtual_ipaddress_excluded "2001:db8::g" is not an IPv4 or IPv6 address'],
    ['listed twice', { excludedAddresses: [vip('192.0.2.100', 24)] }, 'warning instances[VI_1].excludedAddresses[0]: 192.0.2.100 is listed twice in vrrp_instance VI_1 (also at instances[VI_1].virtualAddresses[0]); the second is redundant'],
  ])('%s', (_name, overrides: Partial<VrrpInstanceConfig>, message) => {
    expect(checkInstance(overrides)).toEqual([message]);
  });

  test('none under vrrp_strict is an error even with VRRPv2', () => {
    const strict = config({ global: { ...DEFAULTS.global, strict: true }, instances: [instance({ version: 2, virtualAddresses: [] })] });
    expect(check(strict)).toEqual(['error instances[VI_1].virtualAddresses: vrrp_instance VI_1 has no virtual_ipaddress: VRRPv3 and vrrp_strict need at least one (RFC 5798 §5.2.5)']);
  });

  test('more than 255 cannot be advertised', () => {
    const many = Array.from({ length: 256 }, (_, i) => vip(`198.51.100.${i}`, 24));
    expect(checkInstance({ virtualAddresses: many })).toEqual([
      'error instances[VI_1].virtualAddresses: 256 virtual_ipaddress entries are too many: an advertisement carries at most 255; move the rest to virtual_ipaddress_excluded',
    ]);
  });

  test('more than 90 IPv6 addresses do not fit a 1500-byte MTU', () => {
    const many = Array.from({ length: 91 }, (_, i) => vip(`2001:db8::${(i + 1).toString(16)}`, 64));
    expect(check(config({ instances: [v6Instance({ virtualAddresses: many })] }))).toEqual([
      'warning instances[VI_1].virtualAddresses: 91 IPv6 virtual_ipaddress entries do not fit one advertisement on a 1500-byte MTU (at most 90); move the rest to virtual_ipaddress_excluded',
    ]);
  });

  test('excluded addresses may be of the other family', () => {
    expect(checkInstance({ excludedAddresses: [vip('2001:db8::10', 64)] })).toEqual([]);
  });
});

describe('unicast and source addresses', () => {
  test.each<[string, Partial<VrrpInstanceConfig>, string]>([
    ['peer of the other family', { unicastPeers: [{ address: '2001:db8::2' }] }, 'error instances[VI_1].unicastPeers[0]: unicast_peer 2001:db8::2 is an ipv6 address: the instance is ipv4'],
    ['peer not an address', { unicastPeers: [{ address: 'peer-b' }] }, 'error instances[VI_1].unicastPeers[0]: unicast_peer peer-b is not an address: the instance is ipv4'],
    ['multicast peer', { unicastPeers: [{ address: '224.0.0.18' }] }, 'error instances[VI_1].unicastPeers[0]: unicast_peer 224.0.0.18 is a multicast address: peers are unicast addresses'],
    ['peer listed twice', { unicastPeers: [{ address: '192.0.2.2' }, { address: '192.0.2.2' }] }, 'warning instances[VI_1].unicastPeers[1]: unicast_peer 192.0.2.2 is listed twice; every advert would be sent to it twice'],
    ['peer is our own source', { unicastSourceIp: '192.0.2.1', unicastPeers: [{ address: '192.0.2.1' }] }, "warning instances[VI_1].unicastPeers[0]: unicast_peer 192.0.2.1 is this instance's own unicast_src_ip: list the other routers only"],
    ['min_ttl above 255', { unicastPeers: [{ address: '192.0.2.2', minTtl: 300 }] }, 'error instances[VI_1].unicastPeers[0]: min_ttl 300 of unicast_peer 192.0.2.2 is out of range: must be 0..255'],
    ['min_ttl above max_ttl', { unicastPeers: [{ address: '192.0.2.2', minTtl: 255, maxTtl: 64 }] }, 'error instances[VI_1].unicastPeers[0]: min_ttl 255 of unicast_peer 192.0.2.2 is above its max_ttl 64: no advert could pass'],
    ['unicast_src_ip of the other family', { unicastSourceIp: '2001:db8::1' }, 'error instances[VI_1].unicastSourceIp: unicast_src_ip 2001:db8::1 is an ipv6 address: the instance is ipv4'],
    ['unicast_src_ip multicast', { unicastSourceIp: '224.0.0.18' }, 'error instances[VI_1].unicastSourceIp: unicast_src_ip 224.0.0.18 is a multicast address: must be a unicast address of this host'],
    ['mcast_src_ip not an address', { multicastSourceIp: 'eth0' }, 'error instances[VI_1].multicastSourceIp: mcast_src_ip eth0 is not an address: the instance is ipv4'],
  ])('%s', (_name, overrides: Partial<VrrpInstanceConfig>, message) => {
    expect(checkInstance(overrides)).toEqual([message]);
  });

  test('vrrp_strict refuses unicast', () => {
    const strict = config({ global: { ...DEFAULTS.global, strict: true }, instances: [instance({ unicastPeers: [{ address: '192.0.2.2' }] })] });
    expect(check(strict)).toEqual(['error instances[VI_1].unicastPeers: unicast_peer is not allowed with vrrp_strict: the RFCs define multicast only (keepalived refuses it too)']);
  });
});

describe('trackers', () => {
  test.each<[string, Partial<VrrpdConfig>, string]>([
    ['vrrp_script without a command', { scripts: [script({ script: ' ' })] }, 'error scripts[chk].script: vrrp_script chk has no script: set the command to run, or a checker block (HTTP_GET, SSL_GET, TCP_CHECK, PING_CHECK, DNS_CHECK, UDP_CHECK, SMTP_CHECK)'],
    ['interval 0', { scripts: [script({ intervalMs: 0 })] }, 'error scripts[chk].intervalMs: interval 0 s is out of range: must be more than 0 s'],
    ['negative timeout', { scripts: [script({ timeoutMs: -1000 })] }, 'error scripts[chk].timeoutMs: timeout -1 s is out of range: must be more than 0 s'],
    ['rise 0', { scripts: [script({ rise: 0 })] }, 'error scripts[chk].rise: rise 0 is out of range: must be a whole number, 1 or more'],
    ['fractional fall', { scripts: [script({ fall: 1.5 })] }, 'error scripts[chk].fall: fall 1.5 is out of range: must be a whole number, 1 or more'],
    ['script weight -300', { scripts: [script({ weight: -300 })] }, 'error scripts[chk].weight: weight -300 is out of range: must be -253..253'],
    ['vrrp_script defined twice', { scripts: [script(), script()] }, 'error scripts[chk]: vrrp_script chk is defined twice: names must be unique'],
    ['track_file without a file', { trackFiles: [trackFile({ path: '' })] }, 'error trackFiles[file].path: track_file file has no file: set the file to read'],
    ['fractional track_file weight', { trackFiles: [trackFile({ weight: 0.5 })] }, 'error trackFiles[file].weight: weight 0.5 is out of range: must be -2147483647..2147483647'],
    ['fractional init_file value', { trackFiles: [trackFile({ initFile: { value: 0.5, overwrite: false } })] }, 'error trackFiles[file].initFile: init_file 0.5 is not valid: must be a whole number'],
    ['vrrp_track_process without a process', { trackProcesses: [trackProcess({ process: '' })] }, 'error trackProcesses[proc].process: vrrp_track_process proc has no process: set the process to look for'],
    ['process weight 300', { trackProcesses: [trackProcess({ weight: 300 })] }, 'error trackProcesses[proc].weight: weight 300 is out of range: must be -254..254'],
    ['quorum 0', { trackProcesses: [trackProcess({ quorum: 0 })] }, 'error trackProcesses[proc].quorum: quorum 0 is out of range: must be 1..65535'],
    ['quorum_max below quorum', { trackProcesses: [trackProcess({ quorum: 3, quorumMax: 2 })] }, 'error trackProcesses[proc].quorumMax: quorum_max 2 is below quorum 3: no number of processes could be OK'],
    ['quorum_max above 65535', { trackProcesses: [trackProcess({ quorumMax: 70_000 })] }, 'error trackProcesses[proc].quorumMax: quorum_max 70000 is out of range: must be 0..65535'],
    ['fork_delay above 3600 s', { trackProcesses: [trackProcess({ forkDelayMs: 4_000_000 })] }, 'error trackProcesses[proc].forkDelayMs: fork_delay 4000 s is out of range: must be 0..3600 s'],
  ])('%s', (_name, overrides: Partial<VrrpdConfig>, message) => {
    expect(check(config(overrides))).toEqual([message]);
  });

  test('quorum_max 0 ("fail while any runs") allows quorum 0', () => {
    expect(check(config({ trackProcesses: [trackProcess({ quorum: 0, quorumMax: 0 })] }))).toEqual([]);
  });

  test.each<[string, Partial<VrrpInstanceConfig>, string]>([
    ['undefined track_script', { trackScripts: [{ name: 'chk_missing' }] }, 'error instances[VI_1].trackScripts[0]: track_script chk_missing is not defined by any vrrp_script'],
    ['misspelt track_script', { trackScripts: [{ name: 'chl' }] }, 'error instances[VI_1].trackScripts[0]: track_script chl is not defined by any vrrp_script (did you mean chk?)'],
    ['undefined track_file', { trackFiles: [{ name: 'maint' }] }, 'error instances[VI_1].trackFiles[0]: track_file maint is not defined by any track_file'],
    ['undefined track_process', { trackProcesses: [{ name: 'nginx' }] }, 'error instances[VI_1].trackProcesses[0]: track_process nginx is not defined by any vrrp_track_process'],
    ['track_interface weight 300', { trackInterfaces: [{ name: 'eth1', weight: 300, reverse: false }] }, 'error instances[VI_1].trackInterfaces[0].weight: weight of track_interface eth1 300 is out of range: must be -253..253'],
    ['track_script weight 254', { trackScripts: [{ name: 'chk', weight: 254 }] }, 'error instances[VI_1].trackScripts[0].weight: weight of track_script chk 254 is out of range: must be -253..253'],
    ['track_file weight 255', { trackFiles: [{ name: 'file', weight: 255 }] }, 'error instances[VI_1].trackFiles[0].weight: weight of track_file file 255 is out of range: must be -254..254'],
    ['track_script listed twice', { trackScripts: [{ name: 'chk' }, { name: 'chk', weight: 5 }] }, 'warning instances[VI_1].trackScripts[1]: track_script chk is listed twice; keepalived ignores the second'],
    ['track_interface listed twice', { trackInterfaces: [{ name: 'eth1', weight: 0, reverse: false }, { name: 'eth1', weight: 0, reverse: true }] }, 'warning instances[VI_1].trackInterfaces[1]: track_interface eth1 is listed twice; keepalived ignores the second'],
    ['track_interface with a bad name', { trackInterfaces: [{ name: 'eth1:0', weight: 0, reverse: false }] }, 'error instances[VI_1].trackInterfaces[0]: track_interface "eth1:0" is not a valid interface name: it must be 1..15 characters without "/", ":" or spaces'],
  ])('%s', (_name, overrides: Partial<VrrpInstanceConfig>, message) => {
    const definitions = { scripts: [script()], trackFiles: [trackFile()], trackProcesses: [trackProcess()] };
    expect(check(config({ ...definitions, instances: [instance(overrides)] }))).toEqual([message]);
  });

  test('an address owner does not apply tracking weights, its own or its vrrp_script’s', () => {
    const owner = instance({
      priority: 255,
      trackInterfaces: [{ name: 'eth1', weight: -20, reverse: false }, { name: 'eth2', weight: 0, reverse: false }],
      trackScripts: [{ name: 'chk' }],
    });
    expect(check(config({ scripts: [script({ weight: -30 })], instances: [owner] }))).toEqual([
      'warning instances[VI_1].trackInterfaces[0]: track_interface eth1 weight -20 is not applied: VI_1 is an address owner (priority 255), whose priority never changes; use weight 0 to go to Fault on failure',
      'warning instances[VI_1].trackScripts[0]: track_script chk weight -30 is not applied: VI_1 is an address owner (priority 255), whose priority never changes; use weight 0 to go to Fault on failure',
    ]);
  });

  test('sync group members do not apply tracking weights unless the group sets sync_group_tracking_weight', () => {
    const member = instance({ trackScripts: [{ name: 'chk', weight: 10 }], trackFiles: [{ name: 'file' }] });
    const base = { scripts: [script()], trackFiles: [trackFile()], instances: [member] };
    expect(check(config({ ...base, syncGroups: [syncGroup()] }))).toEqual([
      'warning instances[VI_1].trackScripts[0]: track_script chk weight 10 is not applied: VI_1 is in vrrp_sync_group G1, whose members track without weights unless the group sets sync_group_tracking_weight',
      'warning instances[VI_1].trackFiles[0]: track_file file weight 1 is not applied: VI_1 is in vrrp_sync_group G1, whose members track without weights unless the group sets sync_group_tracking_weight',
    ]);
    expect(check(config({ ...base, syncGroups: [syncGroup({ trackingWeight: true })] }))).toEqual([]);
  });

  test('a sync group’s weighted trackers cannot move an address owner among its members', () => {
    const group = syncGroup({ trackInterfaces: [{ name: 'eth1', weight: -50, reverse: false }] });
    expect(check(config({ instances: [instance({ priority: 255 })], syncGroups: [group] }))).toEqual([
      'warning syncGroups[G1].trackInterfaces[0]: track_interface eth1 weight -50 is not applied to VI_1: an address owner (priority 255) keeps its priority',
    ]);
  });

  test('a sync group’s track lists are checked like an instance’s', () => {
    const group = syncGroup({ trackScripts: [{ name: 'chk_missing' }] });
    expect(check(config({ syncGroups: [group] }))).toEqual(['error syncGroups[G1].trackScripts[0]: track_script chk_missing is not defined by any vrrp_script']);
  });
});

describe('checker blocks in a vrrp_script', () => {
  const common = { connectIp: '192.0.2.20', connectPort: 443, connectTimeoutMs: 5000, retry: 0, delayBeforeRetryMs: 3000, warmupMs: 0, alpha: false, logAllFailures: false };
  const http = (overrides: Partial<HttpCheckerConfig> = {}): HttpCheckerConfig => ({
    type: 'SSL_GET',
    ...common,
    urls: [{ path: '/readyz', statusCodes: [[200, 299]] }],
    httpProtocol: '1.0',
    enableSni: false,
    tlsCompliant: false,
    fastRecovery: false,
    ...overrides,
  });
  const withChecker = (checker: CheckerConfig, scriptLine = ''): string[] => check(config({ scripts: [script({ script: scriptLine, checker })] }));

  test('a checker block takes the place of script; with both, the checker runs (a warning)', () => {
    expect(withChecker(http())).toEqual([]);
    expect(withChecker(http(), '/bin/true')).toEqual(['warning scripts[chk].script: vrrp_script chk has both a script and a checker block (SSL_GET): the checker runs, the script is ignored']);
  });

  test.each<[string, CheckerConfig, string[]]>([
    ['no connect_ip', http({ connectIp: '' }), ['error scripts[chk].checker.connectIp: SSL_GET needs connect_ip: the address to check']],
    ['connect_ip not an address', { type: 'TCP_CHECK', ...common, connectIp: 'api.example.test' }, ['error scripts[chk].checker.connectIp: connect_ip "api.example.test" is not an IPv4 or IPv6 address']],
    ['TCP_CHECK without connect_port', { type: 'TCP_CHECK', ...common, connectPort: 0 }, ['error scripts[chk].checker.connectPort: TCP_CHECK needs connect_port: the port to check']],
    ['connect_port 70000', { type: 'TCP_CHECK', ...common, connectPort: 70_000 }, ['error scripts[chk].checker.connectPort: connect_port 70000 is out of range: must be 1..65535']],
    ['PING_CHECK with a port', { type: 'PING_CHECK', ...common }, ['warning scripts[chk].checker.connectPort: PING_CHECK sends ICMP echo: connect_port is not used']],
    ['bindto of the other family', http({ bindTo: '2001:db8::10' }), ['error scripts[chk].checker.bindTo: bindto 2001:db8::10 is IPv6 but connect_ip 192.0.2.20 is not: both must be of one family']],
    ['link-local connect_ip without bind_if', { type: 'PING_CHECK', ...common, connectPort: 0, connectIp: 'fe80::1' }, ['error scripts[chk].checker.connectIp: connect_ip fe80::1 is link-local: set bind_if to the interface it is on']],
    ['connect_timeout 0', http({ connectTimeoutMs: 0 }), ['error scripts[chk].checker.connectTimeoutMs: connect_timeout 0 s is out of range: must be more than 0 s']],
    ['no url', http({ urls: [] }), ['error scripts[chk].checker: SSL_GET needs a url { path ... } block: what to fetch']],
    ['url without path', http({ urls: [{ path: '', statusCodes: [[200, 299]] }] }), ['error scripts[chk].checker.urls[0].path: url needs path: the path to fetch (/readyz)']],
    ['digest not MD5', http({ urls: [{ path: '/', digest: 'abc', statusCodes: [[200, 299]] }] }), ['error scripts[chk].checker.urls[0].digest: digest "abc" is not an MD5 digest: 32 hex digits, as vrrpd genhash prints it']],
    ['DNS name with an empty label', { type: 'DNS_CHECK', ...common, connectPort: 53, queryType: 'A', name: 'a..example' }, ['error scripts[chk].checker.name: DNS_CHECK name "a..example" has an empty label']],
    [
      'UDP_CHECK min above max',
      { type: 'UDP_CHECK', ...common, connectPort: 53, requireReply: {}, minReplyLength: 20, maxReplyLength: 10 },
      ['error scripts[chk].checker.minReplyLength: min_reply_length 20 is more than max_reply_length 10: no reply could pass'],
    ],
    [
      'reply lengths without require_reply',
      { type: 'UDP_CHECK', ...common, connectPort: 53, minReplyLength: 12, maxReplyLength: 255 },
      ['warning scripts[chk].checker.minReplyLength: min_reply_length and max_reply_length apply to a reply only with require_reply (without it, silence passes)'],
    ],
  ])('%s', (_name, checker, messages) => {
    expect(withChecker(checker)).toEqual(messages);
  });
});

describe('across instances', () => {
  test('duplicate instance names', () => {
    expect(check(config({ instances: [instance(), instance({ virtualRouterId: 52, virtualAddresses: [vip('192.0.2.101', 24)] })] }))).toEqual([
      'error instances[VI_1]: vrrp_instance VI_1 is defined twice: names must be unique',
    ]);
  });

  test('a VRID used twice on one interface and family names both instances', () => {
    const clash = config({ instances: [instance(), instance({ name: 'VI_2', virtualAddresses: [vip('192.0.2.101', 24)] })] });
    expect(check(clash)).toEqual([
      'error instances[VI_2].virtualRouterId: virtual_router_id 51 is already used by VI_1 on eth0 (ipv4); each virtual router on a link needs its own VRID',
    ]);
  });

  test('one VRID on other links or in the other family is fine', () => {
    const fine = config({
      instances: [
        instance(),
        instance({ name: 'VI_2', interface: 'eth1', virtualAddresses: [vip('192.0.2.101', 24)] }),
        v6Instance({ name: 'VI_3' }),
      ],
    });
    expect(check(fine)).toEqual([]);
  });

  test('one address in two instances', () => {
    const shared = config({ instances: [instance(), instance({ name: 'VI_2', virtualRouterId: 52, excludedAddresses: [], virtualAddresses: [vip('192.0.2.100', 24)] })] });
    expect(check(shared)).toEqual([
      'warning instances[VI_2].virtualAddresses[0]: 192.0.2.100 is also a virtual address of VI_1: whichever instance leaves Master state removes it from the other',
    ]);
  });
});

describe('vrrp_sync_group', () => {
  const second = instance({ name: 'VI_2', virtualRouterId: 52, virtualAddresses: [vip('192.0.2.101', 24)] });

  test.each<[string, readonly SyncGroupConfig[], string]>([
    ['an undefined member', [syncGroup({ members: ['VI_1', 'VI_9'] })], 'error syncGroups[G1].members[1]: vrrp_sync_group G1 names VI_9, which is not a vrrp_instance'],
    ['an instance in two groups', [syncGroup(), syncGroup({ name: 'G2' })], 'error syncGroups[G2].members[0]: VI_1 is already in vrrp_sync_group G1: an instance can be in one sync group only'],
    ['a member listed twice', [syncGroup({ members: ['VI_1', 'VI_1'] })], 'warning syncGroups[G1].members[1]: VI_1 is listed twice in vrrp_sync_group G1; the second is redundant'],
    ['no members', [syncGroup({ members: [] })], 'warning syncGroups[G1].members: vrrp_sync_group G1 has no members; it is ignored'],
    ['a group defined twice', [syncGroup(), syncGroup({ members: ['VI_2'] })], 'error syncGroups[G1]: vrrp_sync_group G1 is defined twice: names must be unique'],
  ])('%s', (_name, syncGroups, message) => {
    expect(check(config({ instances: [instance(), second], syncGroups }))).toEqual([message]);
  });

  test('address owners mixed with other instances', () => {
    const owner = instance({ priority: 255 });
    expect(check(config({ instances: [owner, second], syncGroups: [syncGroup({ members: ['VI_1', 'VI_2'] })] }))).toEqual([
      'warning syncGroups[G1].members: vrrp_sync_group G1 mixes address owners (VI_1) with other instances (VI_2): the owners are always Master, so the group cannot change state together',
    ]);
  });
});

describe('addresses', () => {
  test('parseAddressWithPrefix gives the canonical address, the prefix and the family', () => {
    expect(parseAddressWithPrefix('203.0.113.10/24')).toEqual({ address: '203.0.113.10', prefixLength: 24, family: 'ipv4' });
    expect(parseAddressWithPrefix('2001:DB8:0::1')).toEqual({ address: '2001:db8::1', prefixLength: 128, family: 'ipv6' });
    expect(parseAddressWithPrefix('198.51.100.7')).toEqual({ address: '198.51.100.7', prefixLength: 32, family: 'ipv4' });
  });

  test('parseAddressWithPrefix says what is wrong', () => {
    expect(parseAddressWithPrefix('203.0.113.300/24')).toEqual({ error: '"203.0.113.300" is not an IPv4 or IPv6 address' });
    expect(parseAddressWithPrefix('203.0.113.1/33')).toEqual({ error: 'prefix length "33" of 203.0.113.1 is not valid: must be 0..32' });
    expect(parseAddressWithPrefix('2001:db8::1/')).toEqual({ error: 'prefix length "" of 2001:db8::1 is not valid: must be 0..128' });
    expect(parseAddressWithPrefix('203.0.113.1/24/1')).toEqual({ error: '"203.0.113.1/24/1" is not an address: more than one "/"' });
  });

  test('familyOf', () => {
    expect([familyOf('192.0.2.1'), familyOf('2001:db8::1'), familyOf('192.0.2.1/24'), familyOf('fe80::1%eth0'), familyOf('eth0')]).toEqual(['ipv4', 'ipv6', undefined, undefined, undefined]);
  });
});

describe('defaults', () => {
  test("keepalived's defaults, in milliseconds", () => {
    expect(DEFAULTS.global).toMatchObject({ vrrpVersion: 2, mcastGroup4: '224.0.0.18', mcastGroup6: 'ff02::12', strict: false, maxAutoPriority: 0 });
    expect(DEFAULTS.garp).toEqual({ masterDelayMs: 5000, masterRepeat: 5, masterRefreshMs: 0, masterRefreshRepeat: 1, lowerPrioDelayMs: 5000, lowerPrioRepeat: 5, arpIntervalMs: 0, naIntervalMs: 0 });
    expect(DEFAULTS.instance).toMatchObject({ priority: 100, advertIntervalMs: 1000, initialState: 'BACKUP', preempt: true, preemptDelayMs: 0, acceptMode: true, v3ChecksumWithPseudoHeader: true });
    expect(DEFAULTS.script).toEqual({ intervalMs: 1000, weight: 0, reverse: false, rise: 1, fall: 1, initFail: false });
    expect(DEFAULTS.trackFile.weight).toBe(1);
    expect(DEFAULTS.trackProcess).toMatchObject({ weight: 0, quorum: 1 });
  });
});

describe('issue locations and formatting', () => {
  const sourceMap = new Map([
    ['instances[VI_1]', { file: 'k.conf', line: 10, column: 1 }],
    ['instances[VI_1].priority', { file: 'k.conf', line: 12, column: 5 }],
    ['instances[VI_1].virtualAddresses', { file: 'k.conf', line: 14, column: 3 }],
    ['instances[vrrp.eth0.51]', { file: 'k.conf', line: 30, column: 1 }],
  ]);

  test('an issue takes the location of the longest recorded path prefix', () => {
    const located = locateIssues(
      [
        { severity: 'error', path: 'instances[VI_1].priority', message: 'exact' },
        { severity: 'error', path: 'instances[VI_1].virtualAddresses[2]', message: 'parent' },
        { severity: 'error', path: 'instances[VI_1].virtualRouterId', message: 'block' },
        { severity: 'error', path: 'instances[vrrp.eth0.51].priority', message: 'dotted name' },
        { severity: 'warning', path: 'syncGroups[G1]', message: 'unknown' },
      ],
      sourceMap,
    );
    expect(located.map((issue) => issue.location?.line)).toEqual([12, 14, 10, 30, undefined]);
  });

  test('a location already known is kept', () => {
    const own = { file: 'other.conf', line: 1, column: 2 };
    expect(locateIssues([{ severity: 'error', path: 'instances[VI_1].priority', message: 'm', location: own }], sourceMap)[0]?.location).toBe(own);
  });

  test('parent paths split on fields and brackets, never inside brackets', () => {
    expect(parentPaths('instances[vrrp.eth0.51].virtualAddresses[0].label')).toEqual([
      'instances[vrrp.eth0.51].virtualAddresses[0]',
      'instances[vrrp.eth0.51].virtualAddresses',
      'instances[vrrp.eth0.51]',
      'instances',
    ]);
  });

  test('formatIssue gives file:line:column when it can, the model path otherwise', () => {
    expect(formatIssue({ severity: 'error', path: 'x', message: 'priority 300 is out of range', location: { file: 'k.conf', line: 3, column: 7 } })).toBe(
      'k.conf:3:7: error: priority 300 is out of range',
    );
    expect(formatIssue({ severity: 'warning', path: 'global.routerId', message: 'odd' })).toBe('global.routerId: warning: odd');
    expect(formatIssue({ severity: 'error', path: 'x', message: 'cannot read', location: { file: 'k.conf', line: 0, column: 0 } })).toBe('k.conf: error: cannot read');
  });

  test('validation issues, located and formatted, end to end', () => {
    const issues = locateIssues(validateConfig(config({ instances: [instance({ priority: 300 })] })), sourceMap);
    expect(issues.map(formatIssue)).toEqual(['k.conf:12:5: error: priority 300 is out of range: must be 1..255 (255 = address owner)']);
    expect(hasErrors(issues)).toBe(true);
  });

  test('ConfigError carries every issue and lists the errors', () => {
    const issues: ConfigIssue[] = [
      { severity: 'warning', path: 'a', message: 'w' },
      { severity: 'error', path: 'b', message: 'e' },
    ];
    const error = new ConfigError(issues);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigError');
    expect(error.issues).toBe(issues);
    expect(error.message).toBe('1 configuration error:\nb: error: e');
  });
});

describe('virtual_routes and virtual_rules in a model built by hand', () => {
  const route = { family: 'ipv4' as const, destination: '198.51.100.0', prefixLength: 24, device: 'eth0' };
  const rule = { family: 'ipv4' as const, from: { address: '192.0.2.100', prefixLength: 32 }, table: 100 };

  test('well-formed routes and rules of both families have no issue', () => {
    expect(
      checkInstance({
        virtualRoutes: [route, { family: 'ipv6', destination: '::', prefixLength: 0, gateway: '2001:db8::1', table: 4_294_967_295, metric: 0 }],
        virtualRules: [rule, { family: 'ipv6', to: { address: '2001:db8::', prefixLength: 32 }, table: 254, priority: 0, fwmark: 1, fwmask: 0xffffffff, invert: true }],
      }),
    ).toEqual([]);
  });

  test.each([
    ['table 0', { virtualRoutes: [{ ...route, table: 0 }] }, 'error instances[VI_1].virtualRoutes[0]: table 0 of route 198.51.100.0/24 is out of range: must be 1..4294967295'],
    ['a metric past 32 bits', { virtualRoutes: [{ ...route, metric: 2 ** 32 }] }, 'error instances[VI_1].virtualRoutes[0]: metric 4294967296 of route 198.51.100.0/24 is out of range: must be 0..4294967295'],
    ['a gateway that is no address', { virtualRoutes: [{ ...route, gateway: 'router1' }] }, 'error instances[VI_1].virtualRoutes[0]: via "router1" of route 198.51.100.0/24 is not an IPv4 or IPv6 address'],
    ['a multicast gateway', { virtualRoutes: [{ ...route, gateway: '224.0.0.18' }] }, 'error instances[VI_1].virtualRoutes[0]: via 224.0.0.18 of route 198.51.100.0/24 is a multicast address: must be a unicast address'],
    ['a destination of the other family', { virtualRoutes: [{ ...route, destination: '2001:db8::' }] }, 'error instances[VI_1].virtualRoutes[0]: route 2001:db8::/24: "2001:db8::" is not an IPv4 address'],
    ['a prefix past 32', { virtualRoutes: [{ ...route, prefixLength: 33 }] }, 'error instances[VI_1].virtualRoutes[0]: prefix length 33 of 198.51.100.0 is out of range: must be 0..32'],
    ['a device name Linux refuses', { virtualRoutes: [{ ...route, device: 'a-very-long-interface' }] }, 'error instances[VI_1].virtualRoutes[0]: dev of route 198.51.100.0/24 a-very-long-interface is too long: Linux interface names have at most 15 characters'],
    ['a rule table past 32 bits', { virtualRules: [{ ...rule, table: 2 ** 32 }] }, 'error instances[VI_1].virtualRules[0]: table 4294967296 of rule "from 192.0.2.100 table 4294967296" is out of range: must be 1..4294967295'],
    ['a rule address of the other family', { virtualRules: [{ ...rule, to: { address: '2001:db8::', prefixLength: 32 } }] }, 'error instances[VI_1].virtualRules[0]: to 2001:db8:: is ipv6 but rule "from 192.0.2.100 to 2001:db8::/32 table 100" is ipv4: a rule\'s addresses are of one family'],
  ])('%s', (_, overrides, message) => {
    expect(checkInstance(overrides as Partial<VrrpInstanceConfig>)).toEqual([message]);
  });
});
