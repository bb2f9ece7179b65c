// Gratuitous ARP: the frame vrrpd builds, and what a neighbour sees when vrrpd becomes Master.
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, test } from 'vitest';
import { Announcer } from '../../src/linux/announce/announcer.js';
import { gratuitousArp, macBytes } from '../../src/linux/announce/gratuitous-arp.js';
import { AnnouncePacer } from '../../src/linux/announce/pacer.js';
import { createLogger } from '../../src/core/log.js';
import { captureFields, startCapture } from '../helpers/capture.js';
import { holds, instanceConfig, startKeepalived, startVrrpd, waitFor, type RunningDaemon } from '../helpers/daemons.js';
import { isRoot, NamespaceLab, sweepStaleLabs, type LabHost } from '../helpers/netns.js';

const haveKeepalived = spawnSync('keepalived', ['--version'], { stdio: 'ignore' }).status === 0;

test('the frame: broadcast ARP request, sender and target IP both the VIP, padded to 60 bytes', () => {
  const frame = gratuitousArp('02:00:5e:00:01:33', '192.0.2.100');
  expect(frame.toString('hex')).toBe(
    'ffffffffffff' + '02005e000133' + '0806' + '0001' + '0800' + '06' + '04' + '0001' + '02005e000133' + 'c0000264' + '000000000000' + 'c0000264' + '00'.repeat(18),
  );
});

test('a malformed MAC is refused with the value', () => {
  expect(() => macBytes('02:00:5e:00:01')).toThrow('"02:00:5e:00:01" is not a MAC address');
});

// The Announcer opens its packet socket when made (CAP_NET_RAW); prepare() sends nothing.
test.skipIf(!isRoot())('prepare keeps the frames of the addresses it was last given: those a reload removed go', () => {
  const pacers = { arp: new AnnouncePacer(0), na: new AnnouncePacer(0) };
  const target = { interfaceName: 'eth0', interfaceIndex: 1, mac: '02:00:5e:00:01:33', forwardsIpv6: () => false };
  const announcer = new Announcer(target, () => pacers, createLogger({ level: 'silent' }));
  announcer.prepare(['192.0.2.100', '198.51.100.7', '2001:db8::1']);
  expect(announcer.preparedAddresses()).toEqual(['192.0.2.100', '198.51.100.7']);
  announcer.prepare(['198.51.100.7', '198.51.100.8']);
  expect(announcer.preparedAddresses()).toEqual(['198.51.100.7', '198.51.100.8']);
  // A reload a minute moving the VIP, for 100 minutes: one frame kept, not 100.
  for (let i = 0; i < 100; i++) announcer.prepare([`203.0.113.${i}`]);
  expect(announcer.preparedAddresses()).toEqual(['203.0.113.99']);
});

let lab: NamespaceLab | undefined;
afterEach(async () => {
  await lab?.destroy();
  lab = undefined;
});

describe.skipIf(!isRoot())('on the wire (needs root)', () => {
  test('becoming Master sends garp_master_repeat gratuitous ARPs per VIP, from its own MAC', { timeout: 30_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const observer = await lab.addHost('obs', ['192.0.2.9/24']);
    const capture = await startCapture(observer, 'arp');
    const config = instanceConfig({ priority: 150, version: 3, vip: '192.0.2.100/24', extra: '  garp_master_delay 0\n  garp_master_repeat 3' });
    startVrrpd(a, config.replace('    192.0.2.100/24', '    192.0.2.100/24\n    198.51.100.7/32'));
    await waitFor('a to become Master', () => holds(a, '192.0.2.100'), 6000);
    await new Promise((resolve) => setTimeout(resolve, 800));
    await capture.stop();
    const mac = JSON.parse((await a.ip('-j', 'link', 'show', 'eth0')).stdout)[0].address as string;
    const rows = captureFields(capture.file, ['eth.dst', 'eth.src', 'arp.opcode', 'arp.src.hw_mac', 'arp.src.proto_ipv4', 'arp.dst.proto_ipv4']).filter((row) => row[1] === mac);
    const garp = (vip: string) => ['ff:ff:ff:ff:ff:ff', mac, '1', mac, vip, vip];
    expect(rows).toEqual([garp('192.0.2.100'), garp('198.51.100.7'), garp('192.0.2.100'), garp('198.51.100.7'), garp('192.0.2.100'), garp('198.51.100.7')]);
  });
});

describe.skipIf(!isRoot() || !haveKeepalived)('vrrp_garp_interval on the wire, against keepalived (needs root and keepalived)', () => {
  test('one gratuitous ARP per interval on the interface, in keepalived\'s order, both bursts', { timeout: 60_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const b = await lab.addHost('b', ['192.0.2.2/24']);
    const observer = await lab.addHost('obs', ['192.0.2.9/24']);
    const capture = await startCapture(observer, 'arp');
    // Two VIPs, three each per burst, bursts 2 s apart, at most one ARP per 200 ms.
    const config =
      'global_defs {\n  vrrp_garp_interval 0.2\n}\n' +
      instanceConfig({ priority: 150, version: 3, vip: '192.0.2.100/24', extra: '  garp_master_delay 2\n  garp_master_repeat 3' }).replace('    192.0.2.100/24', '    192.0.2.100/24\n    198.51.100.7/32');
    const run = async (host: LabHost, start: (host: LabHost) => RunningDaemon): Promise<void> => {
      const daemon = start(host);
      await waitFor(`${host.name} to become Master`, () => holds(host, '192.0.2.100'), 8000);
      await new Promise((resolve) => setTimeout(resolve, 3500));
      daemon.process.kill('SIGTERM');
      await daemon.exited;
    };
    await run(a, (host) => startVrrpd(host, config));
    await run(b, (host) => startKeepalived(host, config));
    await capture.stop();
    const mac = async (host: LabHost) => JSON.parse((await host.ip('-j', 'link', 'show', 'eth0')).stdout)[0].address as string;
    const rows = captureFields(capture.file, ['frame.time_relative', 'eth.src', 'arp.dst.proto_ipv4']);
    const sent = async (host: LabHost) => {
      const address = await mac(host);
      const mine = rows.filter((row) => row[1] === address);
      return { targets: mine.map((row) => row[2]), gaps: mine.slice(1).map((row, i) => (Number(row[0]) - Number(mine[i]![0])) * 1000) };
    };
    const ours = await sent(a);
    const theirs = await sent(b);
    expect(ours.targets).toEqual(theirs.targets);
    expect(ours.targets).toEqual(['192.0.2.100', '192.0.2.100', '198.51.100.7', '192.0.2.100', '192.0.2.100', '198.51.100.7']);
    // Never two within the interval (capture timestamps: allow 5 ms of clock slack).
    for (const gap of [...ours.gaps, ...theirs.gaps]) expect(gap).toBeGreaterThan(195);
  });
});

