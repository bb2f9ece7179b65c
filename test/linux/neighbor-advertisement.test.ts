// Unsolicited Neighbor Advertisements: the frame vrrpd builds, and what a neighbour sees when an
// IPv6 instance becomes Master (RFC 5798 §6.4.2, RFC 4861 §7.2.6), as keepalived sends them.
import { afterEach, describe, expect, test } from 'vitest';
import { unsolicitedNeighborAdvertisement } from '../../src/linux/announce/neighbor-advertisement.js';
import { internetChecksum, pseudoHeader } from '../../src/vrrp/packet/checksum.js';
import { captureFields, startCapture } from '../helpers/capture.js';
import { holds, instanceConfig, startVrrpd, waitFor } from '../helpers/daemons.js';
import { linkLocal } from '../helpers/ipv6.js';
import { isRoot, NamespaceLab, sweepStaleLabs } from '../helpers/netns.js';

const MAC = '02:00:5e:00:01:33';

test('the frame: to 33:33:00:00:00:01 / ff02::1, hop limit 255, Override set, target link-layer option, checksum verifies', () => {
  const frame = unsolicitedNeighborAdvertisement({ senderMac: MAC, target: '2001:db8::100', router: false });
  expect(frame.length).toBe(14 + 40 + 32);
  expect(frame.subarray(0, 14).toString('hex')).toBe('333300000001' + '02005e000133' + '86dd');
  expect(frame.subarray(14, 22).toString('hex')).toBe('60000000' + '0020' + '3a' + 'ff');
  // From the VIP itself, as the kernel's own unsolicited NAs and keepalived's.
  expect(frame.subarray(22, 38).toString('hex')).toBe('20010db8000000000000000000000100');
  expect(frame.subarray(38, 54).toString('hex')).toBe('ff020000000000000000000000000001');
  const icmp = frame.subarray(54);
  expect(icmp.toString('hex')).toBe(
    '88' + '00' + icmp.subarray(2, 4).toString('hex') + '20000000' + '20010db8000000000000000000000100' + '02' + '01' + '02005e000133',
  );
  // Summed with its pseudo-header (next header 58), a correct ICMPv6 checksum gives zero.
  expect(internetChecksum([pseudoHeader('ipv6', '2001:db8::100', 'ff02::1', 32, 58), icmp])).toBe(0);
});

test('the Router flag is set when the interface forwards', () => {
  const frame = unsolicitedNeighborAdvertisement({ senderMac: MAC, target: '2001:db8::100', router: true });
  expect(frame[54 + 4]).toBe(0xa0);
  expect(internetChecksum([pseudoHeader('ipv6', '2001:db8::100', 'ff02::1', 32, 58), frame.subarray(54)])).toBe(0);
});

let lab: NamespaceLab | undefined;
afterEach(async () => {
  await lab?.destroy();
  lab = undefined;
});

describe.skipIf(!isRoot())('on the wire (needs root)', () => {
  test('becoming Master sends garp_master_repeat NAs per VIP; the Router flag follows forwarding; tshark finds them well-formed', { timeout: 40_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['2001:db8::1/64']);
    const observer = await lab.addHost('obs', ['2001:db8::9/64']);
    await linkLocal(a);
    const mac = JSON.parse((await a.ip('-j', 'link', 'show', 'eth0')).stdout)[0].address as string;
    const capture = await startCapture(observer, 'icmp6 and ip6[40] == 136');
    // Three rounds on becoming Master, then one every 2 s (garp_master_refresh).
    const config = instanceConfig({
      priority: 150,
      version: 3,
      vip: '2001:db8::100/64\n    2001:db8:1::7/64',
      extra: '  garp_master_delay 0\n  garp_master_repeat 3\n  garp_master_refresh 2\n  garp_master_refresh_repeat 1',
    });
    startVrrpd(a, `global_defs {\n  vrrp_gna_interval 0.2\n}\n${config}`);
    await waitFor('a to become Master', () => holds(a, '2001:db8::100'), 8000);
    await new Promise((resolve) => setTimeout(resolve, 600));
    await a.exec('sysctl', ['-qw', 'net.ipv6.conf.eth0.forwarding=1']);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await capture.stop();

    const fields = ['frame.time_relative', 'eth.dst', 'eth.src', 'ipv6.src', 'ipv6.dst', 'ipv6.hlim', 'icmpv6.type', 'icmpv6.checksum.status', 'icmpv6.nd.na.flag.r', 'icmpv6.nd.na.flag.s', 'icmpv6.nd.na.flag.o', 'icmpv6.nd.na.target_address', 'icmpv6.opt.linkaddr', '_ws.malformed'];
    const rows = captureFields(capture.file, fields).filter((row) => row[2] === mac);
    // From the VIP itself, as keepalived 2.2.7 and the kernel send them.
    const na = (target: string, router: '0' | '1') => ['33:33:00:00:00:01', mac, target, 'ff02::1', '255', '136', '1', router, '0', '1', target, mac, ''];
    const vips = ['2001:db8::100', '2001:db8:1::7'];
    // On becoming Master, three rounds paced by vrrp_gna_interval as keepalived paces them (a
    // repeat of an address already waiting adds nothing: V1, V1, V2), without the Router flag
    // (forwarding off); then the refresh after forwarding was turned on, with it. Solicited is
    // never set (RFC 4861 §7.2.6). (tshark leaves the last empty field off the last line.)
    const [v1, v2] = vips as [string, string];
    expect(rows.map(([, ...row]) => fields.slice(1).map((_, i) => row[i] ?? ''))).toEqual([na(v1, '0'), na(v1, '0'), na(v2, '0'), na(v1, '1'), na(v2, '1')]);
    // Never two NAs on the interface within vrrp_gna_interval (200 ms).
    const times = rows.map((row) => Number(row[0]));
    for (let i = 1; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(0.19);
  });
});
