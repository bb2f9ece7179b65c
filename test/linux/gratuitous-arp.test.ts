// Gratuitous ARP: the frame vrrpd builds, and what a neighbour sees when vrrpd becomes Master.
import { afterEach, describe, expect, test } from 'vitest';
import { gratuitousArp, macBytes } from '../../src/linux/announce/gratuitous-arp.js';
import { captureFields, startCapture } from '../helpers/capture.js';
import { holds, instanceConfig, startVrrpd, waitFor } from '../helpers/daemons.js';
import { isRoot, NamespaceLab, sweepStaleLabs } from '../helpers/netns.js';

test('the frame: broadcast ARP request, sender and target IP both the VIP, padded to 60 bytes', () => {
  const frame = gratuitousArp('02:00:5e:00:01:33', '192.0.2.100');
  expect(frame.toString('hex')).toBe(
    'ffffffffffff' + '02005e000133' + '0806' + '0001' + '0800' + '06' + '04' + '0001' + '02005e000133' + 'c0000264' + '000000000000' + 'c0000264' + '00'.repeat(18),
  );
});

test('a malformed MAC is refused with the value', () => {
  expect(() => macBytes('02:00:5e:00:01')).toThrow('"02:00:5e:00:01" is not a MAC address');
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
