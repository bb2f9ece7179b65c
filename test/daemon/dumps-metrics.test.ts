// keepalived-format dumps and the Prometheus text, rendered from a daemon on fake hosts: a Master
// and a Backup after an election, one rejected advertisement on the Backup.
import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import { VrrpRouters } from '../../src/daemon/vrrp/routers.js';
import { dumpInstances, renderData, renderJson, renderStats } from '../../src/daemon/vrrp/dumps.js';
import { parseListenAddress } from '../../src/daemon/operations/listen-address.js';
import { renderMetrics, vipsLabel } from '../../src/daemon/vrrp/metrics.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { capturingLogger } from './fakes.js';
import { FakePlatform, FakeSegment, vipInstance } from './fake-platform.js';

async function elected() {
  const clock = new VirtualClock();
  const segment = new FakeSegment(clock);
  const platforms = [
    new FakePlatform(segment, { name: 'eth0', index: 2, up: true, mac: '02:00:00:00:00:01', ipv4: '192.0.2.1' }),
    new FakePlatform(segment, { name: 'eth0', index: 2, up: true, mac: '02:00:00:00:00:02', ipv4: '192.0.2.2' }),
  ];
  const daemons = [150, 100].map((priority, i) => new VrrpRouters({ bindings: [vipInstance(priority)], platform: platforms[i]!, clock, log: capturingLogger().log }));
  for (const daemon of daemons) await daemon.start();
  while (clock.now() < 5000) {
    clock.advanceTo(clock.now() + 10);
    await tick();
  }
  // One advertisement with TTL 64 reaches the Backup: a TTL error.
  daemons[1]!.running.get('VI_1')!.router.countRejection({ reason: 'ttl', detail: 'TTL 64' });
  return daemons;
}

describe('keepalived dumps', () => {
  test('stats: keepalived 2.2.7 layout and counter names', async () => {
    const [, backup] = await elected();
    const text = renderStats(dumpInstances(backup!));
    expect(text).toMatch(/^VRRP Instance: VI_1\n {2}Advertisements:\n {4}Received: [1-9]\d*\n {4}Sent: 0\n {2}Became master: 0\n {2}Released master: 0\n {2}Packet Errors:\n {4}Length: 0\n {4}TTL: 1\n {4}Invalid Type: 0\n {4}Advertisement Interval: 0\n {4}Address List: 0\n {2}Authentication Errors:\n {4}Invalid Type: 0\n {4}Type Mismatch: 0\n {4}Failure: 0\n {2}Priority Zero:\n {4}Received: 0\n {4}Sent: 0\n$/);
  });

  test('data: the keys keepalived exporters parse (State, Interface, Virtual Router ID, Virtual IP)', async () => {
    const [master] = await elected();
    const text = renderData(dumpInstances(master!), 1_800_000_000_000);
    expect(text).toContain(' VRRP Instance = VI_1\n   VRRP Version = 3\n   State = MASTER\n   Wantstate = MASTER\n');
    expect(text).toContain('   Interface = eth0\n');
    expect(text).toContain('   Virtual Router ID = 51\n   Priority = 150\n   Effective priority = 150\n');
    expect(text).toContain('   Virtual IP (1):\n     192.0.2.100/24 dev eth0 scope global\n');
  });

  test('json: an array of {data, stats} with keepalived state numbers', async () => {
    const [master, backup] = await elected();
    const [m] = JSON.parse(renderJson(dumpInstances(master!))) as Array<{ data: Record<string, unknown>; stats: Record<string, number> }>;
    expect(m!.data).toMatchObject({ iname: 'VI_1', ifp_ifname: 'eth0', vrid: 51, state: 2, wantstate: 2, base_priority: 150, effective_priority: 150, vips: ['192.0.2.100/24 dev eth0 scope global'] });
    expect(m!.stats).toMatchObject({ become_master: 1, release_master: 0, pri_zero_sent: 0 });
    expect(m!.stats['advert_sent']).toBeGreaterThan(0);
    const [b] = JSON.parse(renderJson(dumpInstances(backup!))) as Array<{ data: Record<string, unknown>; stats: Record<string, number> }>;
    expect(b!.data).toMatchObject({ state: 1, master_priority: 150 });
    expect(b!.stats['ip_ttl_err']).toBe(1);
  });
});

describe('Prometheus metrics', () => {
  test('keepalived exporter names and labels, and vrrpd families, in the text format', async () => {
    const [master, backup] = await elected();
    const m = renderMetrics(dumpInstances(master!));
    const b = renderMetrics(dumpInstances(backup!));
    expect(m).toContain('# TYPE keepalived_vrrp_state gauge\nkeepalived_vrrp_state{iname="VI_1",intf="eth0",vrid="51",ip_address="192.0.2.100/24"} 2\n');
    expect(b).toContain('keepalived_vrrp_state{iname="VI_1",intf="eth0",vrid="51",ip_address="192.0.2.100/24"} 1\n');
    expect(m).toContain('keepalived_become_master_total{iname="VI_1",intf="eth0",vrid="51",state="MASTER"} 1\n');
    expect(b).toContain('keepalived_ip_ttl_errors_total{iname="VI_1",intf="eth0",vrid="51",state="BACKUP"} 1\n');
    expect(b).toContain('vrrpd_advertisements_rejected_total{iname="VI_1",intf="eth0",vrid="51",reason="ttl"} 1\n');
    expect(m).toContain('vrrpd_effective_priority{iname="VI_1",intf="eth0",vrid="51"} 150\n');
    expect(m).toContain('vrrpd_transitions_total{iname="VI_1",intf="eth0",vrid="51"} 2\n');
    expect(m).toContain('vrrpd_gratuitous_announcements_total{iname="VI_1",intf="eth0",vrid="51"} 5\n');
    expect(b).toContain('vrrpd_master_priority{iname="VI_1",intf="eth0",vrid="51"} 150\n');
    // Every sample line belongs to a family announced by HELP and TYPE just before.
    const lines = m.trimEnd().split('\n');
    let family = '';
    for (const line of lines) {
      const declared = /^# TYPE (\S+) (gauge|counter)$/.exec(line);
      if (declared) family = declared[1]!;
      else if (!line.startsWith('# HELP ')) expect(line).toMatch(new RegExp(`^${family}(\\{[^}]*\\})? -?[\\d.]+(e[+-]?\\d+)?$`));
    }
    const names = lines.filter((line) => line.startsWith('# TYPE ')).map((line) => line.split(' ')[2]);
    expect(new Set(names).size).toBe(names.length);
  });

  test('one state series per instance, with the cross-host identity: family and the advertised addresses, sorted', async () => {
    const [master, backup] = await elected();
    const [entry] = dumpInstances(master!);
    // Three advertised addresses in the file's order, plus one virtual_ipaddress_excluded (installed, never advertised).
    const router = { ...entry!.binding.router, virtualAddresses: ['192.0.2.101', '192.0.2.9', '192.0.2.100'] };
    const excluded = { ...entry!.binding.addresses[0]!, address: '198.51.100.7', prefixLength: 32 };
    const addresses = [...['192.0.2.101', '192.0.2.9', '192.0.2.100'].map((address) => ({ ...entry!.binding.addresses[0]!, address })), excluded];
    const multi = { ...entry!, binding: { ...entry!.binding, router, addresses } };
    expect(vipsLabel(multi)).toBe('192.0.2.9,192.0.2.100,192.0.2.101');
    const text = renderMetrics([multi]);
    const sampleLines = (name: string): string[] => text.split('\n').filter((line) => line.startsWith(`${name}{`));
    // keepalived's exporter: one sample per address (four); vrrpd's: one per instance.
    expect(sampleLines('keepalived_vrrp_state')).toHaveLength(4);
    expect(sampleLines('vrrpd_instance_state')).toEqual(['vrrpd_instance_state{iname="VI_1",intf="eth0",vrid="51",family="ipv4",vips="192.0.2.9,192.0.2.100,192.0.2.101"} 2']);
    expect(sampleLines('vrrpd_instance_info')).toEqual(['vrrpd_instance_info{iname="VI_1",intf="eth0",vrid="51",family="ipv4",vips="192.0.2.9,192.0.2.100,192.0.2.101",version="3"} 1']);
    // The Backup of the same virtual router has the same identity, whatever its interface is called.
    const [other] = dumpInstances(backup!);
    const renamed = { ...other!, status: { ...other!.status, interface: 'vlan51' }, binding: { ...other!.binding, router: { ...router, virtualAddresses: ['192.0.2.100', '192.0.2.101', '192.0.2.9'] } } };
    expect(renderMetrics([renamed])).toContain('vrrpd_instance_state{iname="VI_1",intf="vlan51",vrid="51",family="ipv4",vips="192.0.2.9,192.0.2.100,192.0.2.101"} 1\n');
  });

  test('IPv6 addresses sort by value, not by text', () => {
    const entry = {
      status: { family: 'ipv6' },
      binding: { router: { family: 'ipv6', virtualAddresses: ['2001:db8::10', 'fe80::1', '2001:db8::9'] } },
    } as unknown as Parameters<typeof vipsLabel>[0];
    expect(vipsLabel(entry)).toBe('2001:db8::9,2001:db8::10,fe80::1');
  });

  test('advertisement counters without the state label: the same series before and after a transition', async () => {
    const [master, backup] = await elected();
    const [m] = dumpInstances(master!);
    const [b] = dumpInstances(backup!);
    const sent = m!.status.statistics.advertisementsSent;
    const received = b!.status.statistics.advertisementsReceived;
    expect(sent).toBeGreaterThan(0);
    expect(received).toBeGreaterThan(0);
    expect(renderMetrics([m!])).toContain(`# TYPE vrrpd_advertisements_sent_total counter\nvrrpd_advertisements_sent_total{iname="VI_1",intf="eth0",vrid="51"} ${sent}\n`);
    expect(renderMetrics([b!])).toContain(`# TYPE vrrpd_advertisements_received_total counter\nvrrpd_advertisements_received_total{iname="VI_1",intf="eth0",vrid="51"} ${received}\n`);
    // The exporter's counter carries the state, so its series name changes on a transition; ours does not.
    const asBackup = { ...m!, status: { ...m!.status, state: 'Backup' } };
    const line = (text: string, name: string): string | undefined => text.split('\n').find((l) => l.startsWith(`${name}{`));
    expect(line(renderMetrics([m!]), 'keepalived_advertisements_sent_total')).not.toBe(line(renderMetrics([asBackup]), 'keepalived_advertisements_sent_total'));
    expect(line(renderMetrics([m!]), 'vrrpd_advertisements_sent_total')).toBe(line(renderMetrics([asBackup]), 'vrrpd_advertisements_sent_total'));
  });

  test('label values are escaped', async () => {
    const [master] = await elected();
    const [entry] = dumpInstances(master!);
    const odd = { ...entry!, status: { ...entry!.status, name: 'a"b\\c\nd' } };
    expect(renderMetrics([odd])).toContain('vrrpd_base_priority{iname="a\\"b\\\\c\\nd",intf="eth0",vrid="51"} 150');
  });

  test('tracked objects: keepalived_script_status once per script, vrrpd_tracker_* per instance', async () => {
    const [master] = await elected();
    const [entry] = dumpInstances(master!);
    const trackers = [
      { name: 'chk_haproxy', kind: 'script', state: 'failed', weight: -30, reverse: false, applied: -30, fault: false },
      { name: 'eth1', kind: 'interface', state: 'ok', weight: 0, reverse: false, applied: 0, fault: false },
    ] as const;
    const tracked = { ...entry!, status: { ...entry!.status, trackers } };
    const second = { ...tracked, status: { ...tracked.status, name: 'VI_2', vrid: 52 } };
    const text = renderMetrics([tracked, second]);
    expect(text.split('\n').filter((line) => line.startsWith('keepalived_script_status'))).toEqual(['keepalived_script_status{name="chk_haproxy"} 0']);
    expect(text).toContain('vrrpd_tracker_ok{iname="VI_1",intf="eth0",vrid="51",tracker="chk_haproxy",kind="script"} 0');
    expect(text).toContain('vrrpd_tracker_ok{iname="VI_2",intf="eth0",vrid="52",tracker="eth1",kind="interface"} 1');
    expect(text).toContain('vrrpd_tracker_priority_applied{iname="VI_1",intf="eth0",vrid="51",tracker="chk_haproxy",kind="script"} -30');
    expect(text).toContain('vrrpd_tracker_fault{iname="VI_1",intf="eth0",vrid="51",tracker="eth1",kind="interface"} 0');
  });

  test('listen addresses', () => {
    expect(parseListenAddress('127.0.0.1:9650')).toEqual({ host: '127.0.0.1', port: 9650 });
    expect(parseListenAddress('[2001:db8::1]:9650')).toEqual({ host: '2001:db8::1', port: 9650 });
    expect(parseListenAddress(':9650')).toEqual({ host: '::', port: 9650 });
    expect(parseListenAddress('9650')).toEqual({ host: '::', port: 9650 });
    expect(() => parseListenAddress('localhost')).toThrow('"localhost" is not ADDRESS:PORT');
    expect(() => parseListenAddress('1.2.3.4:70000')).toThrow(RangeError);
  });
});
