// vrrpd's nftables tables on a real kernel, through the nft tool: a stale table left by a killed
// vrrpd is replaced at start, other tables are never touched, an update sends only what changed
// and empties persistence of a server that left, and stop removes vrrpd's tables alone.
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger } from '../../src/core/log.js';
import { RulesWriter } from '../../src/daemon/lb/rules.js';
import { ServerPool } from '../../src/lb/pool.js';
import { NftCli } from '../../src/linux/nftables/nft.js';
import { realServer, tablesOf, virtualServer } from '../lb/builders.js';
import { isRoot, NamespaceLab, type LabHost } from '../helpers/netns.js';

const log = createLogger({ level: 'silent' });

const OPERATOR_TABLES = `table inet filter {
  chain input {
    type filter hook input priority filter; policy accept;
    tcp dport 22 accept
  }
}
table ip nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "eth0" masquerade
  }
}
`;

const STALE = `table inet vrrpd_lb {
  chain stale {
    type nat hook prerouting priority dstnat; policy accept;
    ip daddr 192.0.2.99 dnat ip to 198.51.100.99
  }
}
table netdev vrrpd_lb {
  chain stale {
    type filter hook ingress device "eth0" priority 0; policy accept;
  }
}
`;

describe.skipIf(!isRoot())('nftables tables (needs root)', () => {
  let lab: NamespaceLab;
  let host: LabHost;
  let scratch: string;

  beforeAll(async () => {
    lab = await NamespaceLab.create();
    host = await lab.addHost('director', ['192.0.2.2/24']);
    scratch = mkdtempSync(join(tmpdir(), 'vrrpd-nft-'));
  });
  afterAll(async () => {
    await lab?.destroy();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function load(text: string): Promise<void> {
    const file = join(scratch, 'rules.nft');
    writeFileSync(file, text);
    await host.exec('nft', ['-f', file]);
  }
  const list = async (...what: string[]): Promise<string> => (await host.exec('nft', ['list', ...what])).stdout;

  test('start replaces a stale vrrpd table, leaves the operator\'s tables alone, stop removes only its own', async () => {
    await load(OPERATOR_TABLES + STALE);
    const operatorBefore = (await list('table', 'inet', 'filter')) + (await list('table', 'ip', 'nat'));
    const writer = new RulesWriter(new NftCli({ netns: host.netns }), log);
    const pool = new ServerPool(virtualServer('192.0.2.100', 80, [realServer('198.51.100.11', 80), realServer('198.51.100.12', 80)]));
    await writer.start(tablesOf([pool]));

    const ruleset = await list('ruleset');
    expect(ruleset).not.toContain('stale');
    expect(ruleset).not.toContain('table netdev vrrpd_lb');
    expect(ruleset).toContain('tcp . 192.0.2.100 . 80 : jump vs_tcp_192_0_2_100_80');
    expect(ruleset).toContain('dnat ip to numgen inc mod 2 map { 0 : 198.51.100.11 . 80, 1 : 198.51.100.12 . 80 }');
    expect((await list('table', 'inet', 'filter')) + (await list('table', 'ip', 'nat'))).toBe(operatorBefore);

    await writer.stop();
    const after = await list('ruleset');
    expect(after).not.toContain('vrrpd_lb');
    expect((await list('table', 'inet', 'filter')) + (await list('table', 'ip', 'nat'))).toBe(operatorBefore);
  });

  test('an update sends what changed and empties persistence of the server that left', async () => {
    const nft = new NftCli({ netns: host.netns });
    const sent: string[][] = [];
    const writer = new RulesWriter({ run: (commands) => (sent.push([...commands]), nft.run(commands)), counters: (f) => nft.counters(f), elements: (f, k, n) => nft.elements(f, k, n) }, log);
    const servers = [realServer('198.51.100.11', 80), realServer('198.51.100.12', 80), realServer('198.51.100.13', 80)];
    const pool = new ServerPool(virtualServer('192.0.2.100', 80, servers, { persistence: { timeoutMs: 1_800_000, granularity: '255.255.255.0' } }));
    await writer.start(tablesOf([pool]));
    const persist = 'vs_tcp_192_0_2_100_80_persist';
    // Two clients' networks remembered as the packet path would.
    await host.exec('nft', ['add', 'element', 'inet', 'vrrpd_lb', persist, '{ 192.0.2.0 : 198.51.100.11, 203.0.113.0 : 198.51.100.12 }']);
    const countersBefore = await nft.counters('inet');

    pool.checkerResult('198.51.100.12:80', 'TCP_CHECK', false);
    sent.length = 0;
    await writer.update(tablesOf([pool]));

    // One transaction for the change (the members set and the scheduler's rule), one for the purge.
    expect(sent).toHaveLength(2);
    expect(sent[0]).toEqual([
      'delete element inet vrrpd_lb vs_tcp_192_0_2_100_80_members { 198.51.100.12 }',
      'flush chain inet vrrpd_lb vs_tcp_192_0_2_100_80',
      'add rule inet vrrpd_lb vs_tcp_192_0_2_100_80 meta l4proto tcp dnat ip to ip saddr & 255.255.255.0 map @vs_tcp_192_0_2_100_80_persist : 80',
      'add rule inet vrrpd_lb vs_tcp_192_0_2_100_80 meta l4proto tcp dnat ip to numgen inc mod 2 map { 0 : 198.51.100.11 . 80, 1 : 198.51.100.13 . 80 }',
    ]);
    expect(sent[1]).toEqual([`delete element inet vrrpd_lb ${persist} { 203.0.113.0 }`]);
    expect(await nft.elements('inet', 'map', persist)).toEqual([{ key: '192.0.2.0', value: '198.51.100.11' }]);
    // The counters are the same objects (an update never recreates them).
    expect([...(await nft.counters('inet')).keys()]).toEqual([...countersBefore.keys()]);

    // Nothing changed: nothing sent.
    sent.length = 0;
    await writer.update(tablesOf([pool]));
    expect(sent).toEqual([]);
    await writer.stop();
  });

  test('IPv6 NAT and DR services load as nft reads them back', async () => {
    await host.ip('link', 'add', 'srv0', 'type', 'veth', 'peer', 'name', 'srv1');
    await host.ip('link', 'set', 'srv0', 'up');
    const writer = new RulesWriter(new NftCli({ netns: host.netns }), log);
    const v6 = new ServerPool(
      virtualServer('2001:db8::100', 443, [realServer('2001:db8:1::11', 8443), realServer('2001:db8:1::12', 8443)], { scheduler: 'sh', persistence: { timeoutMs: 600_000, granularity: 64 } }),
    );
    const dr = new ServerPool(
      virtualServer('192.0.2.101', 80, [realServer('198.51.100.21', 80, { method: 'DR' }), realServer('198.51.100.22', 80, { method: 'DR', weight: 3 })], {
        scheduler: 'wrr',
        dr: { inbound: ['eth0'], outbound: 'srv0' },
      }),
    );
    await writer.start(tablesOf([v6, dr]));
    const ruleset = await list('ruleset');
    expect(ruleset).toContain('meta l4proto tcp dnat ip6 to ip6 saddr & ffff:ffff:ffff:ffff:: map @vs_tcp_2001_db8_100_443_persist:8443');
    expect(ruleset).toContain('jhash ip6 saddr mod 256 seed 0x0 map { 0 : 2001:db8:1::11 . 8443, 1 : 2001:db8:1::12 . 8443, 2 : 2001:db8:1::11 . 8443');
    expect(ruleset).toContain('type filter hook ingress device "eth0" priority filter; policy accept;');
    expect(ruleset).toContain('numgen inc mod 4 vmap { 0-1 : jump vs_tcp_192_0_2_101_80_rs_198_51_100_22_80, 2 : jump vs_tcp_192_0_2_101_80_rs_198_51_100_21_80, 3 : jump vs_tcp_192_0_2_101_80_rs_198_51_100_22_80 }');
    expect(ruleset).toContain('fwd ip to 198.51.100.22 device "srv0"');
    await writer.stop();
  });

  // keepalived's `protocol SCTP`. The rules are all this machine can check: its kernel has no SCTP
  // sockets (socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP) is EPROTONOSUPPORT), so no SCTP traffic.
  test('SCTP services (NAT with persistence by /24, and wlc) load as nft reads them back', async () => {
    const writer = new RulesWriter(new NftCli({ netns: host.netns }), log);
    const sctp = (address: string, port: number, options: Parameters<typeof virtualServer>[3] = {}) => {
      const base = virtualServer(address, port, [realServer('198.51.100.31', 3868), realServer('198.51.100.32', 3868)], options);
      return new ServerPool({ ...base, key: `sctp ${address}:${port}`, match: { kind: 'address', family: 'ipv4', protocol: 'sctp', address, port } });
    };
    await writer.start(tablesOf([sctp('192.0.2.110', 3868, { persistence: { timeoutMs: 300_000, granularity: '255.255.255.0' } }), sctp('192.0.2.111', 3868, { scheduler: 'wlc' })]));
    const ruleset = await list('ruleset');
    expect(ruleset).toMatch(/sctp \. 192\.0\.2\.110 \. 3868 : jump vs_sctp_192_0_2_110_3868/);
    expect(ruleset).toMatch(/sctp \. 192\.0\.2\.111 \. 3868 : jump vs_sctp_192_0_2_111_3868/);
    expect(ruleset).toContain('meta l4proto sctp dnat ip to ip saddr & 255.255.255.0 map @vs_sctp_192_0_2_110_3868_persist:3868');
    expect(ruleset).toContain('ct status dnat meta l4proto sctp ct original ip daddr . ct original proto-dst vmap @track4_sctp');
    await writer.stop();
    expect(await list('ruleset')).not.toContain('vrrpd_lb');
  });
});
