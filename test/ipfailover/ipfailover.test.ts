// OpenShift ipfailover mode: OPENSHIFT_HA_* variables to the configuration the ipfailover image's
// generator builds (VRIDs, priorities, VIP grouping, check and notify), with specific errors.
import { describe, expect, test } from 'vitest';
import { loadKeepalivedText } from '../../src/config/keepalived/loader.js';
import { formatIssue } from '../../src/config/issues.js';
import { ipFailoverConfig, scrub, splitIntoGroups } from '../../src/ipfailover/generate.js';
import { expandIpRanges, IpFailoverSettingsError, settingsFromEnv } from '../../src/ipfailover/settings.js';
import { ipfailover, type IpFailoverHost } from '../../src/cli/ipfailover.js';

const zero = (): number => 0;

describe('OPENSHIFT_HA_VIRTUAL_IPS ranges', () => {
  test.each([
    ['192.0.2.4-6,192.0.2.9', ['192.0.2.4', '192.0.2.5', '192.0.2.6', '192.0.2.9']],
    ['192.0.2.1, 198.51.100.2,203.0.113.3-4  203.0.113.9', ['192.0.2.1', '198.51.100.2', '203.0.113.3', '203.0.113.4', '203.0.113.9']],
    ['192.0.2.100-100', ['192.0.2.100']],
    ['2001:DB8:1ABC::1F39-1F3B', ['2001:db8:1abc::1f39', '2001:db8:1abc::1f3a', '2001:db8:1abc::1f3b']],
    ['2001:db8::fe-101', ['2001:db8::fe', '2001:db8::ff', '2001:db8::100', '2001:db8::101']],
  ])('%s', (text, expected) => expect(expandIpRanges(text)).toEqual(expected));

  test.each([
    ['192.0.2.9-4', '"192.0.2.9-4": the range ends before it starts'],
    ['192.0.2.4-300', '"192.0.2.4-300": the range end "300" is not an octet 0..255'],
    ['192.0.2.300', '"192.0.2.300" is not an IPv4 or IPv6 address'],
    ['192.0.2.1-2-3', '"192.0.2.1-2-3" is not an address or range: more than one "-"'],
    ['2001:db8::a-g', '"2001:db8::a-g": the range end "g" is not a hexadecimal group 0..ffff'],
    ['2001:db8::-5', '"2001:db8::-5": an IPv6 range needs the last group written out, e.g. 2001:db8::a-f'],
  ])('%s is refused', (text, message) => expect(() => expandIpRanges(text)).toThrow(message));
});

describe('settings from the environment', () => {
  test("the image's defaults", () => {
    expect(settingsFromEnv({ OPENSHIFT_HA_VIRTUAL_IPS: '192.0.2.10' })).toEqual({
      configName: 'OpenShift-IPFailover',
      virtualIps: ['192.0.2.10'],
      vipGroups: 0,
      monitorPort: 80,
      replicaCount: 1,
      vrrpIdOffset: 0,
      excludedVrrpIds: [],
      checkIntervalSeconds: 2,
      preemption: { preempt: true, delaySeconds: 300 },
      unicastPeers: [],
      multicastAcceptRule: false,
    });
  });

  test('every variable read', () => {
    expect(
      settingsFromEnv({
        OPENSHIFT_HA_CONFIG_NAME: 'ipf-ha',
        OPENSHIFT_HA_VIRTUAL_IPS: '192.0.2.10-11',
        OPENSHIFT_HA_VIP_GROUPS: '1',
        OPENSHIFT_HA_NETWORK_INTERFACE: 'eth1',
        OPENSHIFT_HA_MONITOR_PORT: '0',
        OPENSHIFT_HA_REPLICA_COUNT: '3',
        OPENSHIFT_HA_VRRP_ID_OFFSET: '30',
        HA_EXCLUDED_VRRP_IDS: '31 33',
        OPENSHIFT_HA_CHECK_SCRIPT: '/etc/check.sh',
        OPENSHIFT_HA_CHECK_INTERVAL: '5',
        OPENSHIFT_HA_NOTIFY_SCRIPT: '/etc/notify.sh',
        OPENSHIFT_HA_PREEMPTION: 'nopreempt',
        OPENSHIFT_HA_UNICAST_PEERS: '192.0.2.2,192.0.2.3',
        OPENSHIFT_HA_IPTABLES_CHAIN: 'INPUT',
      }),
    ).toEqual({
      configName: 'ipf-ha',
      virtualIps: ['192.0.2.10', '192.0.2.11'],
      vipGroups: 1,
      networkInterface: 'eth1',
      monitorPort: 0,
      replicaCount: 3,
      vrrpIdOffset: 30,
      excludedVrrpIds: [31, 33],
      checkScript: '/etc/check.sh',
      checkIntervalSeconds: 5,
      notifyScript: '/etc/notify.sh',
      preemption: { preempt: false },
      unicastPeers: ['192.0.2.2', '192.0.2.3'],
      multicastAcceptRule: true,
    });
  });

  test('bad values: one error per variable, each naming it', () => {
    let problems: readonly string[] = [];
    try {
      settingsFromEnv({
        OPENSHIFT_HA_VIRTUAL_IPS: '192.0.2.9-4',
        OPENSHIFT_HA_VIP_GROUPS: 'two',
        OPENSHIFT_HA_MONITOR_PORT: '70000',
        OPENSHIFT_HA_REPLICA_COUNT: '0',
        OPENSHIFT_HA_VRRP_ID_OFFSET: '255',
        OPENSHIFT_HA_EXCLUDED_VRRP_IDS: '5,0',
        OPENSHIFT_HA_CHECK_INTERVAL: '1.5',
        OPENSHIFT_HA_PREEMPTION: 'preempt_delay soon',
        OPENSHIFT_HA_UNICAST_PEERS: '192.0.2.2,peer-b',
        OPENSHIFT_HA_NETWORK_INTERFACE: 'eth0:1',
      });
    } catch (error) {
      expect(error).toBeInstanceOf(IpFailoverSettingsError);
      problems = (error as IpFailoverSettingsError).problems;
    }
    expect(problems).toEqual([
      'OPENSHIFT_HA_VIRTUAL_IPS: "192.0.2.9-4": the range ends before it starts',
      'OPENSHIFT_HA_EXCLUDED_VRRP_IDS: "0" is not a VRID: expected whole numbers 1..255, separated by spaces or commas',
      'OPENSHIFT_HA_PREEMPTION: "preempt_delay soon" is not valid: expected "nopreempt" or "preempt_delay N" (N seconds, 0..1000)',
      'OPENSHIFT_HA_UNICAST_PEERS: "peer-b" is not an IPv4 or IPv6 address',
      'OPENSHIFT_HA_NETWORK_INTERFACE: "eth0:1" is not an interface name (1..15 characters without "/", ":" or spaces)',
      'OPENSHIFT_HA_VIP_GROUPS: "two" is not valid: expected a whole number of groups, 0..255',
      'OPENSHIFT_HA_MONITOR_PORT: "70000" is not valid: expected a TCP port 1..65535, or 0 to disable the check',
      'OPENSHIFT_HA_REPLICA_COUNT: "0" is not valid: expected a whole number of replicas, 1..255',
      'OPENSHIFT_HA_VRRP_ID_OFFSET: "255" is not valid: expected a whole number 0..254',
      'OPENSHIFT_HA_CHECK_INTERVAL: "1.5" is not valid: expected whole seconds 1..86400',
    ]);
  });

  test('no virtual IPs is an error', () => {
    expect(() => settingsFromEnv({})).toThrow('OPENSHIFT_HA_VIRTUAL_IPS is not set: list the virtual IPs to fail over, e.g. 192.0.2.4-6,192.0.2.9');
  });
});

describe('the generated configuration', () => {
  test('scrub and grouping as the image does them', () => {
    expect(scrub('config!@#-1_{}./ipfailover')).toBe('config_1_ipfailover');
    expect(splitIntoGroups([1, 2, 3, 4, 5], 2)).toEqual([[1, 2, 3], [4, 5]]);
    expect(splitIntoGroups([1, 2, 3], 0)).toEqual([[1], [2], [3]]);
    expect(splitIntoGroups([1, 2], 5)).toEqual([[1], [2]]);
  });

  test('two replicas, VIP groups, VRID offset with an excluded VRID, check and notify', () => {
    const settings = settingsFromEnv({
      OPENSHIFT_HA_CONFIG_NAME: 'ipf-ha',
      OPENSHIFT_HA_VIRTUAL_IPS: '192.0.2.10-14',
      OPENSHIFT_HA_VIP_GROUPS: '2',
      OPENSHIFT_HA_REPLICA_COUNT: '2',
      OPENSHIFT_HA_VRRP_ID_OFFSET: '10',
      OPENSHIFT_HA_EXCLUDED_VRRP_IDS: '12',
      OPENSHIFT_HA_NOTIFY_SCRIPT: '/etc/notify.sh',
    });
    // Node address .3: slot 3, index 3 % 2 + 1 = 2, so the second instance is this node's.
    const config = ipFailoverConfig(settings, { interfaceName: 'eth0', ipv4Address: '192.0.2.3' }, () => 7);
    expect(config.global.routerId).toBe('ipf_ha');
    expect(config.scripts).toEqual([
      { name: 'chk_ipf_ha', script: "/bin/bash -c '</dev/tcp/192.0.2.3/80'", intervalMs: 2000, timeoutMs: 2000, weight: 0, reverse: false, rise: 1, fall: 1, initFail: false },
    ]);
    expect(config.instances.map((i) => [i.name, i.virtualRouterId, i.initialState, i.priority, i.virtualAddresses.map((a) => a.address)])).toEqual([
      ['ipf_ha_VIP_1', 11, 'BACKUP', 3 + 7, ['192.0.2.10', '192.0.2.11', '192.0.2.12']],
      ['ipf_ha_VIP_2', 13, 'MASTER', 252, ['192.0.2.13', '192.0.2.14']],
    ]);
    expect(config.instances[0]).toMatchObject({
      interface: 'eth0',
      preempt: true,
      preemptDelayMs: 300_000,
      authentication: { type: 'PASS', password: 'ipf-ha' },
      trackScripts: [{ name: 'chk_ipf_ha' }],
      notify: { any: '/etc/notify.sh' },
      unicastPeers: [],
    });
    expect(config.instances[0]?.virtualAddresses[0]).toEqual({ address: '192.0.2.10', prefixLength: 32, family: 'ipv4', device: 'eth0' });
  });

  test('one replica: every instance is master, priorities flip-flop so mastership alternates', () => {
    const settings = settingsFromEnv({ OPENSHIFT_HA_VIRTUAL_IPS: '192.0.2.20-22' });
    const config = ipFailoverConfig(settings, { interfaceName: 'eth0', ipv4Address: '198.51.100.130' }, zero);
    // slot 130 % 128 = 2
    expect(config.instances.map((i) => [i.virtualRouterId, i.initialState, i.priority])).toEqual([
      [1, 'MASTER', 253],
      [2, 'MASTER', 3],
      [3, 'MASTER', 253],
    ]);
  });

  test('monitor port 0 checks nothing; a check script replaces the TCP check; IPv6 VIPs make VRRPv3 instances', () => {
    const off = ipFailoverConfig(settingsFromEnv({ OPENSHIFT_HA_VIRTUAL_IPS: '192.0.2.1', OPENSHIFT_HA_MONITOR_PORT: '0' }), { interfaceName: 'eth0' }, zero);
    expect(off.scripts[0]?.script).toBe('true');
    const custom = ipFailoverConfig(settingsFromEnv({ OPENSHIFT_HA_VIRTUAL_IPS: '2001:db8::1-2', OPENSHIFT_HA_CHECK_SCRIPT: '/etc/check.sh', OPENSHIFT_HA_CHECK_INTERVAL: '7' }), { interfaceName: 'eth0' }, zero);
    expect(custom.scripts[0]).toMatchObject({ name: 'chk_OpenShift_IPFailover', script: '/etc/check.sh', intervalMs: 7000 });
    expect(custom.instances.map((i) => [i.name, i.family, i.version, i.virtualAddresses[0]?.prefixLength])).toEqual([
      ['OpenShift_IPFailover_VIP_1', 'ipv6', 3, 128],
      ['OpenShift_IPFailover_VIP_2', 'ipv6', 3, 128],
    ]);
  });

  test('VRIDs beyond 255 are an error naming the offset', () => {
    const settings = settingsFromEnv({ OPENSHIFT_HA_VIRTUAL_IPS: '192.0.2.1-2', OPENSHIFT_HA_VRRP_ID_OFFSET: '254' });
    expect(() => ipFailoverConfig(settings, { interfaceName: 'eth0' }, zero)).toThrow(
      'VRID 256 for OpenShift_IPFailover_VIP_2 is out of range (OPENSHIFT_HA_VRRP_ID_OFFSET 254, 2 instances, excluded none): VRIDs are 1..255',
    );
  });
});

describe('vrrpd ipfailover --print', () => {
  const host = (interfaces: string[], defaultRoute: string | undefined, address?: string): IpFailoverHost => ({
    interfaceExists: async (name) => interfaces.includes(name),
    defaultRouteInterface: async () => defaultRoute,
    ipv4Address: async () => address,
  });

  async function print(env: Record<string, string>, facts: IpFailoverHost) {
    let out = '';
    let err = '';
    const code = await ipfailover({ print: true }, env, (text) => (out += text), (text) => (err += text), facts, () => 5);
    return { code, out, err };
  }

  test('prints keepalived.conf that loads back to the same configuration', async () => {
    const { code, out, err } = await print(
      { OPENSHIFT_HA_CONFIG_NAME: 'web', OPENSHIFT_HA_VIRTUAL_IPS: '192.0.2.50', OPENSHIFT_HA_NETWORK_INTERFACE: 'eth1', OPENSHIFT_HA_PREEMPTION: 'nopreempt', OPENSHIFT_HA_REPLICA_COUNT: '2' },
      host(['eth1'], 'eth0', '192.0.2.7'),
    );
    expect([code, err]).toEqual([0, '']);
    expect(out).toBe(`! Configuration for keepalived, as generated by vrrpd ipfailover from OPENSHIFT_HA_* (web)

global_defs {
    router_id web
}

vrrp_script chk_web {
    script "/bin/bash -c '</dev/tcp/192.0.2.7/80'"
    interval 2
}

vrrp_instance web_VIP_1 {
    interface eth1
    virtual_router_id 1
    priority 12
    nopreempt
    authentication {
        auth_type PASS
        auth_pass web
    }
    virtual_ipaddress {
        192.0.2.50/32 dev eth1
    }
    track_script {
        chk_web
    }
}
`);
    const loaded = loadKeepalivedText(out, 'printed.conf');
    expect(loaded.issues.map(formatIssue)).toEqual([]);
    expect(loaded.config.instances[0]).toMatchObject({ name: 'web_VIP_1', priority: 12, preempt: false, interface: 'eth1' });
  });

  test('a missing NETWORK_INTERFACE falls back to the default route, with a warning', async () => {
    const { code, out, err } = await print({ OPENSHIFT_HA_VIRTUAL_IPS: '192.0.2.50', OPENSHIFT_HA_NETWORK_INTERFACE: 'eth9', OPENSHIFT_HA_PREEMPTION: 'nopreempt' }, host(['eth0'], 'eth0', '192.0.2.6'));
    expect(code).toBe(0);
    // The image's own conventions (a Master with nopreempt, a 20-character auth_pass) are not warned about.
    expect(err).toBe("vrrpd ipfailover: warning: OPENSHIFT_HA_NETWORK_INTERFACE: no interface eth9 on this host; using the default route's interface\n");
    expect(out).toContain('    interface eth0\n');
  });

  test('bad variables and no interface to use are errors, exit 1', async () => {
    const bad = await print({ OPENSHIFT_HA_VIRTUAL_IPS: '192.0.2.50', OPENSHIFT_HA_MONITOR_PORT: 'http' }, host(['eth0'], 'eth0'));
    expect([bad.code, bad.out, bad.err]).toEqual([1, '', 'vrrpd ipfailover: OPENSHIFT_HA_MONITOR_PORT: "http" is not valid: expected a TCP port 1..65535, or 0 to disable the check\n']);
    const none = await print({ OPENSHIFT_HA_VIRTUAL_IPS: '192.0.2.50' }, host([], undefined));
    expect([none.code, none.err]).toEqual([1, 'vrrpd ipfailover: OPENSHIFT_HA_NETWORK_INTERFACE is not set and this host has no IPv4 default route to find the interface by\n']);
  });
});
