import { describe, expect, test } from 'vitest';
import { ConfigError, formatIssue, locateIssues, type ConfigIssue } from '../../src/config/issues.js';
import { parseAddressWithPrefix, validateConfig } from '../../src/config/validate.js';
import { config, instance } from './builders.js';

const messages = (issues: readonly ConfigIssue[]) => issues.map((issue) => `${issue.severity} ${issue.path}: ${issue.message}`);
const script = { name: 'chk', script: '/bin/true', intervalMs: 1000, timeoutMs: 1000, weight: 0, reverse: false, rise: 1, fall: 1, initFail: false };

describe('validateConfig', () => {
  test('a complete valid configuration has no issues', () => {
    expect(validateConfig(config())).toEqual([]);
  });

  test.each([
    [{ virtualRouterId: 0 }, 'error instances[VI_1].virtualRouterId: virtual_router_id 0 is out of range: must be 1..255'],
    [{ virtualRouterId: 256 }, 'error instances[VI_1].virtualRouterId: virtual_router_id 256 is out of range: must be 1..255'],
    [{ priority: 300 }, 'error instances[VI_1].priority: priority 300 is out of range: must be 1..255 (255 = address owner)'],
    [{ priority: 0 }, 'error instances[VI_1].priority: priority 0 is out of range: must be 1..255 (255 = address owner)'],
    [{ version: 2 as const, advertIntervalMs: 500 }, 'error instances[VI_1].advertIntervalMs: advert_int 0.5 is not valid for VRRPv2: whole seconds 1..255'],
    [{ advertIntervalMs: 5 }, 'error instances[VI_1].advertIntervalMs: advert_int 0.005 is not valid for VRRPv3: 0.01..40.95 seconds in steps of 0.01'],
    [{ advertIntervalMs: 41_000 }, 'error instances[VI_1].advertIntervalMs: advert_int 41 is not valid for VRRPv3: 0.01..40.95 seconds in steps of 0.01'],
    [{ preemptDelayMs: 2_000_000 }, 'error instances[VI_1].preemptDelayMs: preempt_delay 2000 is out of range: must be 0..1000 seconds'],
    [{ initialState: 'MASTER' as const, preempt: false }, 'warning instances[VI_1].initialState: state MASTER disables nopreempt and preempt_delay (as in keepalived): set state BACKUP for them to work'],
    [{ authentication: { type: 'PASS' as const, password: 'x' } }, 'warning instances[VI_1].authentication: authentication is ignored with VRRPv3 (RFC 5798 removed it)'],
    [{ version: 2 as const, authentication: { type: 'PASS' as const, password: 'much-too-long' } }, 'warning instances[VI_1].authentication.password: auth_pass is longer than 8 characters; only "much-too" is used'],
    [{ virtualAddresses: [] }, 'warning instances[VI_1].virtualAddresses: vrrp_instance VI_1 has no virtual_ipaddress'],
    [{ virtualAddresses: [{ address: '2001:db8::1', prefixLength: 64, family: 'ipv6' as const }] }, "error instances[VI_1].virtualAddresses[0]: 2001:db8::1 is ipv6, the instance's addresses are ipv4: use a separate vrrp_instance per family"],
    [{ unicastPeers: [{ address: '2001:db8::2' }] }, 'error instances[VI_1].unicastPeers[0]: unicast_peer 2001:db8::2 is an ipv6 address, the instance is ipv4'],
    [{ unicastPeers: [{ address: 'peer-b' }] }, 'error instances[VI_1].unicastPeers[0]: unicast_peer peer-b is not an address, the instance is ipv4'],
    [{ unicastSourceIp: '2001:db8::1' }, 'error instances[VI_1].unicastSourceIp: unicast_src_ip 2001:db8::1 is not an ipv4 address'],
    [{ trackScripts: [{ name: 'chk_missing', reverse: false }] }, 'error instances[VI_1].trackScripts[0]: track_script chk_missing is not defined by any vrrp_script'],
    [{ trackInterfaces: [{ name: 'eth1', weight: 300 }] }, 'error instances[VI_1].trackInterfaces[0].weight: weight 300 is out of range: must be -253..253'],
    [{ priority: 255, trackInterfaces: [{ name: 'eth1', weight: -20 }] }, 'warning instances[VI_1].priority: an address owner (priority 255) ignores tracking weights; only weight-0 tracking (Fault) applies'],
  ])('%o', (overrides, message) => {
    expect(messages(validateConfig(config({ instances: [instance(overrides)] })))).toEqual([message]);
  });

  test('VRRPv2 over IPv6 is refused', () => {
    const v6 = instance({ version: 2, family: 'ipv6', virtualAddresses: [{ address: '2001:db8::1', prefixLength: 64, family: 'ipv6' }] });
    expect(messages(validateConfig(config({ instances: [v6] })))).toEqual(['error instances[VI_1].version: VRRPv2 is IPv4 only (RFC 3768); use version 3 for IPv6 addresses']);
  });

  test('a VRID used twice on one interface and family names both instances; other families or links are fine', () => {
    const clash = config({ instances: [instance(), instance({ name: 'VI_2' })] });
    expect(messages(validateConfig(clash))).toEqual([
      'error instances[VI_2].virtualRouterId: virtual_router_id 51 is already used by VI_1 on eth0 (ipv4); each virtual router on a link needs its own VRID',
    ]);
    const fine = config({
      instances: [
        instance(),
        instance({ name: 'VI_2', interface: 'eth1' }),
        instance({ name: 'VI_3', family: 'ipv6', virtualAddresses: [{ address: '2001:db8::1', prefixLength: 64, family: 'ipv6' }] }),
      ],
    });
    expect(validateConfig(fine)).toEqual([]);
  });

  test('duplicate instance names', () => {
    const twice = config({ instances: [instance(), instance({ virtualRouterId: 52 })] });
    expect(messages(validateConfig(twice))).toEqual(['error instances[VI_1]: vrrp_instance VI_1 is defined twice']);
  });

  test('scripts: intervals, rise and fall, weights', () => {
    const bad = { ...script, intervalMs: 0, rise: 0, weight: -300 };
    expect(messages(validateConfig(config({ scripts: [bad] })))).toEqual([
      'error scripts[chk].intervalMs: interval 0 s must be positive',
      'error scripts[chk].rise: rise 0 must be at least 1',
      'error scripts[chk].weight: weight -300 is out of range: must be -253..253',
    ]);
  });

  test('sync groups: unknown members and members in two groups', () => {
    const group = (name: string, members: string[]) => ({ name, members, trackScripts: [], trackInterfaces: [], notify: {}, trackingWeight: false });
    const issues = validateConfig(config({ syncGroups: [group('G1', ['VI_1', 'VI_9']), group('G2', ['VI_1'])] }));
    expect(messages(issues)).toEqual([
      'error syncGroups[G1].members[1]: vrrp_sync_group G1 names VI_9, which is not a vrrp_instance',
      'error syncGroups[G2].members[0]: VI_1 is already in vrrp_sync_group G1; an instance can be in one group only',
    ]);
  });

  test('multicast groups must be of their family', () => {
    const global = { ...config().global, mcastGroup4: 'ff02::12' };
    expect(messages(validateConfig(config({ global })))).toEqual(['error global.mcastGroup4: vrrp_mcast_group4 ff02::12 is not an IPv4 address']);
  });
});

describe('issue locations and formatting', () => {
  test('the longest recorded path prefix locates an issue', () => {
    const sourceMap = new Map([
      ['instances[VI_1]', { file: 'k.conf', line: 10, column: 1 }],
      ['instances[VI_1].priority', { file: 'k.conf', line: 12, column: 5 }],
    ]);
    const [priority, vrid] = locateIssues(
      [
        { severity: 'error', path: 'instances[VI_1].priority', message: 'p' },
        { severity: 'error', path: 'instances[VI_1].virtualRouterId', message: 'v' },
      ],
      sourceMap,
    );
    expect(priority?.location).toEqual({ file: 'k.conf', line: 12, column: 5 });
    expect(vrid?.location).toEqual({ file: 'k.conf', line: 10, column: 1 });
  });

  test('formatIssue gives file:line:column when it can', () => {
    expect(formatIssue({ severity: 'error', path: 'x', message: 'bad', location: { file: 'k.conf', line: 3, column: 7 } })).toBe('k.conf:3:7: error: bad');
    expect(formatIssue({ severity: 'warning', path: 'global.routerId', message: 'odd' })).toBe('global.routerId: warning: odd');
  });

  test('ConfigError lists the errors', () => {
    const error = new ConfigError([
      { severity: 'warning', path: 'a', message: 'w' },
      { severity: 'error', path: 'b', message: 'e' },
    ]);
    expect(error.message).toBe('1 configuration error:\nb: error: e');
  });
});

describe('parseAddressWithPrefix', () => {
  test('canonical address, prefix and family', () => {
    expect(parseAddressWithPrefix('203.0.113.10/24')).toEqual({ address: '203.0.113.10', prefixLength: 24, family: 'ipv4' });
    expect(parseAddressWithPrefix('2001:DB8:0::1')).toEqual({ address: '2001:db8::1', prefixLength: 128, family: 'ipv6' });
  });

  test('specific errors', () => {
    expect(parseAddressWithPrefix('203.0.113.300/24')).toEqual({ error: '"203.0.113.300" is not an IPv4 or IPv6 address' });
    expect(parseAddressWithPrefix('203.0.113.1/33')).toEqual({ error: 'prefix length "33" of 203.0.113.1 must be 0..32' });
    expect(parseAddressWithPrefix('203.0.113.1/24/1')).toEqual({ error: '"203.0.113.1/24/1" is not an address: more than one "/"' });
  });
});
