// virtual_routes / virtual_rules: what is read into the model, and every word vrrpd does not
// install reported at its file:line:column.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTableNames } from '../../../src/config/route-tables.js';
import { describe, expect, test } from 'vitest';
import { formatIssue } from '../../../src/config/issues.js';
import { loadKeepalivedConfig, loadKeepalivedText } from '../../../src/config/keepalived/loader.js';
import { loadYamlText } from '../../../src/config/yaml/loader.js';
import { scratchDir } from '../../helpers/scratch.js';

function load(body: string, vip = '192.0.2.100/24') {
  const text = `vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    virtual_ipaddress {\n        ${vip}\n    }\n${body}}\n`;
  const result = loadKeepalivedText(text, 'keepalived.conf');
  return { instance: result.config.instances[0], lines: result.issues.map(formatIssue) };
}

const routes = (...lines: string[]) => `    virtual_routes {\n${lines.map((line) => `        ${line}\n`).join('')}    }\n`;
const rules = (...lines: string[]) => `    virtual_rules {\n${lines.map((line) => `        ${line}\n`).join('')}    }\n`;

describe('virtual_routes', () => {
  test('the corpus gateway: default route in a table, src/metric, blackhole; rules by source and fwmark', () => {
    const { config, issues } = loadKeepalivedConfig(join(import.meta.dirname, 'corpus', 'gateway-lan-wan.conf'));
    expect(issues).toEqual([]);
    const wan = config.instances.find((instance) => instance.name === 'WAN');
    expect(wan?.virtualRoutes).toEqual([
      { family: 'ipv4', destination: '0.0.0.0', prefixLength: 0, gateway: '203.0.113.14', device: 'eth1', table: 100 },
      { family: 'ipv4', destination: '198.51.100.0', prefixLength: 24, source: '203.0.113.10', gateway: '203.0.113.14', device: 'eth1', metric: 5 },
      { family: 'ipv4', destination: '198.51.100.128', prefixLength: 25, type: 'blackhole', table: 100 },
    ]);
    expect(wan?.virtualRules).toEqual([
      { family: 'ipv4', from: { address: '192.0.2.0', prefixLength: 24 }, table: 100, priority: 100 },
      { family: 'ipv4', fwmark: 0x10, fwmask: 0xff, table: 100, priority: 110 },
    ]);
    // Instances without the blocks have no such fields (nothing to install).
    expect(config.instances.find((instance) => instance.name === 'LAN')).not.toHaveProperty('virtualRoutes');
  });

  test('IPv6: `to`, gw, scope, onlink, table names, and a default route of the instance family', () => {
    const { instance, lines } = load(
      routes('to 2001:db8:2::/48 gw 2001:db8::1 dev eth0 onlink table main', 'default dev eth0 scope link table local', 'unreachable 2001:db8:3::/48 metric 1024'),
      '2001:db8::100/64',
    );
    expect(lines).toEqual([]);
    expect(instance?.virtualRoutes).toEqual([
      { family: 'ipv6', destination: '2001:db8:2::', prefixLength: 48, gateway: '2001:db8::1', device: 'eth0', onlink: true, table: 254 },
      { family: 'ipv6', destination: '::', prefixLength: 0, device: 'eth0', scope: 'link', table: 255 },
      { family: 'ipv6', destination: '2001:db8:3::', prefixLength: 48, type: 'unreachable', metric: 1024 },
    ]);
  });

  test('a default route takes its family from via, whatever the instance family', () => {
    const { instance, lines } = load(routes('default via 2001:db8::1 dev eth0'));
    expect(lines).toEqual([]);
    expect(instance?.virtualRoutes).toEqual([{ family: 'ipv6', destination: '::', prefixLength: 0, gateway: '2001:db8::1', device: 'eth0' }]);
  });

  test.each([
    ['a destination that is no address', '198.51.100.x/24 dev eth0', 'keepalived.conf:8:9: error: route destination: "198.51.100.x" is not an IPv4 or IPv6 address'],
    ['a prefix out of range', '198.51.100.0/33 dev eth0', 'keepalived.conf:8:9: error: route destination: prefix length "33" of 198.51.100.0 is not valid: must be 0..32'],
    ['a gateway that is no address', '198.51.100.0/24 via gateway1', 'keepalived.conf:8:29: error: via "gateway1" is not an IPv4 or IPv6 address'],
    ['a gateway with a prefix', '198.51.100.0/24 via 192.0.2.254/24', 'keepalived.conf:8:29: error: via "192.0.2.254/24" is not an IPv4 or IPv6 address'],
    ['table 0', '198.51.100.0/24 dev eth0 table 0', 'keepalived.conf:8:40: error: table "0" is not valid: expected a whole number 1..4294967295'],
    ['a table name this host does not know', '198.51.100.0/24 dev eth0 table no-such-isp', 'keepalived.conf:8:40: error: table "no-such-isp" is not valid: expected a table number 1..4294967295, main, default, local, or a name from /etc/iproute2/rt_tables on this host'],
    ['a metric too large', '198.51.100.0/24 dev eth0 metric 4294967296', 'keepalived.conf:8:41: error: metric "4294967296" is not valid: expected a whole number 0..4294967295'],
    ['a missing value', '198.51.100.0/24 dev', 'keepalived.conf:8:25: error: dev needs a value'],
    ['no destination', 'via 192.0.2.254 dev eth0 table 100', 'keepalived.conf:8:9: error: this virtual_routes entry has no destination (a prefix such as 198.51.100.0/24, or default)'],
    ['two destinations', '198.51.100.0/24 to 203.0.113.0/24 dev eth0', 'keepalived.conf:8:28: error: the route has two destinations: 198.51.100.0/24 and 203.0.113.0/24'],
    ['a gateway of the other family', '198.51.100.0/24 via 2001:db8::1', 'keepalived.conf:8:9: error: via 2001:db8::1 is ipv6 but route 198.51.100.0/24 is ipv4: a route\'s addresses are of one family'],
    ['a source of the other family', 'src 2001:db8::100 198.51.100.0/24 dev eth0', 'keepalived.conf:8:9: error: src 2001:db8::100 is ipv6 but route 198.51.100.0/24 is ipv4: a route\'s addresses are of one family'],
    ['host bits set', '198.51.100.1/24 dev eth0', 'keepalived.conf:8:9: error: route 198.51.100.1/24 has host bits set: the network is 198.51.100.0/24'],
    ['nothing to send through', '198.51.100.0/24 metric 5', 'keepalived.conf:8:9: error: route 198.51.100.0/24 needs via or dev (or a type: blackhole, unreachable, prohibit)'],
    ['a blackhole with a gateway', 'blackhole 198.51.100.0/24 via 192.0.2.254', 'keepalived.conf:8:9: error: route 198.51.100.0/24 is blackhole: such a route has no via or dev'],
    ['a bad scope', '198.51.100.0/24 dev eth0 scope galaxy', 'keepalived.conf:8:9: error: scope galaxy of route 198.51.100.0/24 is not valid: must be global, site, link, host, nowhere or 0..255'],
  ])('%s is an error at its position', (_, entry, message) => {
    const { instance, lines } = load(routes(entry));
    expect(lines).toEqual([message]);
    // An entry the loader could not read is not half-installed later.
    expect(instance?.virtualRoutes?.length ?? 0).toBeLessThanOrEqual(1);
  });

  test.each([
    ['proto', '198.51.100.0/24 dev eth0 proto static', 'keepalived.conf:8:34: warning: proto static: vrrpd marks the routes it adds with its own protocol number, so that a restart after a crash removes exactly those; ignored', 1],
    ['an option vrrpd does not apply', '198.51.100.0/24 dev eth0 mtu 1400', 'keepalived.conf:8:34: warning: route option mtu is not supported by vrrpd; "mtu 1400" ignored', 1],
    ['an unknown word', '198.51.100.0/24 dev eth0 fast', 'keepalived.conf:8:34: warning: unknown virtual_routes option "fast"; ignored', 1],
    ['a route type vrrpd does not install', 'throw 198.51.100.0/24', 'keepalived.conf:8:9: warning: route type throw is not supported by vrrpd (only unicast, blackhole, unreachable and prohibit); this virtual_routes entry is left out', 0],
    ['multipath', '198.51.100.0/24 via 192.0.2.254 or 192.0.2.253', 'keepalived.conf:8:41: warning: route option or is not supported by vrrpd; "or 192.0.2.253" ignored', 1],
  ])('%s is a warning at its position', (_, entry, message, kept) => {
    const { instance, lines } = load(routes(entry));
    expect(lines).toEqual([message]);
    expect(instance?.virtualRoutes?.length).toBe(kept);
  });
});

describe('virtual_rules', () => {
  test('every supported selector, `all`, `not`, and priority synonyms', () => {
    const { instance, lines } = load(
      rules(
        'from 192.0.2.100 table 100 priority 100',
        'not to 198.51.100.0/24 iif eth0 lookup 200 preference 200',
        'from all oif eth1 fwmark 7 table main pref 300',
        'from 2001:db8::/32 table 100 prio 5',
      ),
    );
    expect(lines).toEqual([]);
    expect(instance?.virtualRules).toEqual([
      { family: 'ipv4', from: { address: '192.0.2.100', prefixLength: 32 }, table: 100, priority: 100 },
      { family: 'ipv4', invert: true, to: { address: '198.51.100.0', prefixLength: 24 }, inputInterface: 'eth0', table: 200, priority: 200 },
      { family: 'ipv4', outputInterface: 'eth1', fwmark: 7, table: 254, priority: 300 },
      { family: 'ipv6', from: { address: '2001:db8::', prefixLength: 32 }, table: 100, priority: 5 },
    ]);
  });

  test.each([
    ['no table', 'from 192.0.2.100 priority 100', 'keepalived.conf:8:9: error: this virtual_rules entry has no table: vrrpd installs rules that look up a routing table (table N)'],
    ['from and to of different families', 'from 192.0.2.100 to 2001:db8::/32 table 100 priority 5', 'keepalived.conf:8:29: error: to 2001:db8::/32 is ipv6 but the rule\'s other address is ipv4: a rule is of one family'],
    ['a bad from', 'from 192.0.2 table 100 priority 5', 'keepalived.conf:8:14: error: from: "192.0.2" is not an IPv4 or IPv6 address'],
    ['a bad fwmark', 'fwmark mark1 table 100 priority 5', 'keepalived.conf:8:16: error: fwmark "mark1" is not valid: expected a number 0..4294967295 (decimal or 0x hex), optionally /MASK'],
    ['a priority too large', 'from 192.0.2.100 table 100 priority 4294967296', 'keepalived.conf:8:45: error: priority "4294967296" is not valid: expected a whole number 0..4294967295'],
    ['host bits set', 'from 192.0.2.100/24 table 100 priority 5', 'keepalived.conf:8:9: error: from 192.0.2.100/24 has host bits set: the network is 192.0.2.0/24'],
  ])('%s is an error at its position', (_, entry, message) => {
    expect(load(rules(entry)).lines).toEqual([message]);
  });

  test.each([
    ['an action other than a table', 'from 192.0.2.100 blackhole priority 5', 'keepalived.conf:8:26: warning: rule action blackhole is not supported by vrrpd (only table lookups); this virtual_rules entry is left out', 0],
    ['an option vrrpd does not apply', 'from 192.0.2.100 ipproto tcp table 100 priority 5', 'keepalived.conf:8:26: warning: rule option ipproto is not supported by vrrpd; "ipproto tcp" ignored', 1],
    ['a rule selecting everything', 'table 100 priority 5', 'keepalived.conf:8:9: warning: rule "priority 5 table 100" has no from, to, iif, oif or fwmark: it sends all ipv4 traffic to table 100 while Master', 1],
  ])('%s is a warning at its position', (_, entry, message, kept) => {
    const { instance, lines } = load(rules(entry));
    expect(lines).toEqual([message]);
    expect(instance?.virtualRules?.length).toBe(kept);
  });
});

test('rt_tables: NUMBER NAME lines and rt_tables.d/*.conf, comments skipped, the first file wins', () => {
  const dir = scratchDir('rt-tables');
  try {
    writeFileSync(join(dir, 'rt_tables'), '#\n# reserved values\n255\tlocal\n254\tmain\n100 isp1 # upstream one\n');
    mkdirSync(join(dir, 'rt_tables.d'));
    writeFileSync(join(dir, 'rt_tables.d', 'isp.conf'), '0x65 isp2\n102 isp1\n');
    writeFileSync(join(dir, 'rt_tables.d', 'ignored.txt'), '103 isp3\n');
    writeFileSync(join(dir, 'other'), '104 isp4\n100 local\n');
    expect(Object.fromEntries(readTableNames([join(dir, 'rt_tables'), join(dir, 'other'), join(dir, 'missing')]))).toEqual({ local: 255, main: 254, isp1: 100, isp2: 101, isp4: 104 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rules without a priority get keepalived\'s, 16384 downwards in file order across instances, each with a warning', () => {
  const text = ['VI_1', 'VI_2']
    .map((name, index) => `vrrp_instance ${name} {\n  interface eth0\n  virtual_router_id ${51 + index}\n  virtual_ipaddress {\n    192.0.2.${100 + index}/24\n  }\n  virtual_rules {\n    from 192.0.2.${100 + index} table 100\n    to 198.51.100.${index * 16}/28 table 100\n  }\n}\n`)
    .join('');
  const result = loadKeepalivedText(text, 'keepalived.conf');
  expect(result.config.instances.map((instance) => instance.virtualRules?.map((rule) => rule.priority))).toEqual([[16384, 16383], [16382, 16381]]);
  expect(result.issues.map(formatIssue)).toEqual([
    'keepalived.conf:8:5: warning: this virtual_rules entry has no priority: 16384 is used, as keepalived does; set one with priority N',
    'keepalived.conf:9:5: warning: this virtual_rules entry has no priority: 16383 is used, as keepalived does; set one with priority N',
    'keepalived.conf:19:5: warning: this virtual_rules entry has no priority: 16382 is used, as keepalived does; set one with priority N',
    'keepalived.conf:20:5: warning: this virtual_rules entry has no priority: 16381 is used, as keepalived does; set one with priority N',
  ]);
});

describe('YAML', () => {
  test('virtualRoutes and virtualRules are lists of keepalived lines, with YAML positions in messages', () => {
    const yaml = [
      'vrrpInstances:',
      '  - name: VI_1',
      '    interface: eth0',
      '    virtualRouterId: 51',
      '    virtualIpaddress: [192.0.2.100/24]',
      '    virtualRoutes:',
      '      - 198.51.100.0/24 via 192.0.2.254 table 100',
      '      - default via 192.0.2.254 table 100 mtu 1400',
      '    virtualRules:',
      '      - from 192.0.2.100 table 100 priority 100',
      '',
    ].join('\n');
    const result = loadYamlText(yaml, 'vrrpd.yaml');
    expect(result.issues.map(formatIssue)).toEqual([
      'vrrpd.yaml:8:43: warning: route option mtu is not supported by vrrpd; "mtu 1400" ignored',
    ]);
    expect(result.config.instances[0]?.virtualRoutes).toEqual([
      { family: 'ipv4', destination: '198.51.100.0', prefixLength: 24, gateway: '192.0.2.254', table: 100 },
      { family: 'ipv4', destination: '0.0.0.0', prefixLength: 0, gateway: '192.0.2.254', table: 100 },
    ]);
    expect(result.config.instances[0]?.virtualRules).toEqual([{ family: 'ipv4', from: { address: '192.0.2.100', prefixLength: 32 }, table: 100, priority: 100 }]);
  });
});
