// The rtnetlink link messages vrrpd builds for use_vmac, byte by byte (rtnetlink(7), linux/if_link.h).
import { expect, test } from 'vitest';
import { deleteLinkRequest, linkDumpRequest, linkKind, linkStateRequest, macvlanRequest, parseLinkMessage } from '../../src/linux/netlink/link-messages.js';
import { attribute, u32 } from '../../src/linux/netlink/attributes.js';
import { vmacAddress } from '../../src/linux/vmac.js';

test('the virtual router MAC of RFC 5798 §7.3', () => {
  expect(vmacAddress(51, 'ipv4')).toBe('00:00:5e:00:01:33');
  expect(vmacAddress(255, 'ipv6')).toBe('00:00:5e:00:02:ff');
  expect(vmacAddress(1, 'ipv4')).toBe('00:00:5e:00:01:01');
});

test('a private-mode macvlan: ifinfomsg, IFLA_IFNAME, IFLA_LINK, IFLA_ADDRESS, nested IFLA_LINKINFO', () => {
  const body = macvlanRequest({ name: 'vrrp.51', parentIndex: 2, mac: '00:00:5e:00:01:33' });
  expect(body.toString('hex')).toBe(
    '00000000' + '00000000' + '00000000' + '00000000' + // ifinfomsg: AF_UNSPEC, index 0, flags 0, change 0
      '0c000300' + Buffer.from('vrrp.51\0').toString('hex') + // IFLA_IFNAME (8 bytes, no padding)
      '08000500' + '02000000' + // IFLA_LINK = 2
      '0a000100' + '00005e000133' + '0000' + // IFLA_ADDRESS, padded to 4
      '1c001280' + // IFLA_LINKINFO | NLA_F_NESTED, 28 bytes
      '0c000100' + Buffer.from('macvlan\0').toString('hex') + // IFLA_INFO_KIND
      '0c000280' + '08000100' + '01000000', // IFLA_INFO_DATA | NESTED: IFLA_MACVLAN_MODE = private
  );
  // The kind reads back from IFLA_LINKINFO's payload.
  expect(linkKind(body.subarray(16 + 12 + 8 + 12 + 4))).toBe('macvlan');
  expect(linkKind(undefined)).toBeUndefined();
});

test('link up and delete are a bare ifinfomsg', () => {
  expect(linkStateRequest(7, true).toString('hex')).toBe('00000000' + '07000000' + '01000000' + '01000000');
  expect(linkStateRequest(7, false).toString('hex')).toBe('00000000' + '07000000' + '00000000' + '01000000');
  expect(deleteLinkRequest(7).toString('hex')).toBe('00000000' + '07000000' + '00000000' + '00000000');
});

test('a dumped or notified link: index, name, MAC, up (IFF_UP and IFF_LOWER_UP), MTU, kind and parent; other attributes skipped', () => {
  const ifinfomsg = Buffer.from('00000100' + '07000000' + '43100100' + '00000000', 'hex'); // ARPHRD_ETHER, index 7, UP|BROADCAST|RUNNING|MULTICAST|LOWER_UP
  const link = Buffer.concat([
    ifinfomsg,
    attribute(3, Buffer.from('vrrp.51\0')), // IFLA_IFNAME
    attribute(4, u32(1500)), // IFLA_MTU
    attribute(23, Buffer.alloc(200, 0xff)), // IFLA_STATS64: not read
    attribute(5, u32(2)), // IFLA_LINK
    attribute(1, Buffer.from('00005e000133', 'hex')), // IFLA_ADDRESS
    attribute(18 | 0x8000, attribute(1, Buffer.from('macvlan\0'))), // IFLA_LINKINFO { IFLA_INFO_KIND }
  ]);
  expect(parseLinkMessage(link)).toEqual({ index: 7, name: 'vrrp.51', mac: '00:00:5e:00:01:33', up: true, mtu: 1500, kind: 'macvlan', parentIndex: 2 });
  // Up without carrier is not up; a plain device has no kind nor parent.
  const noCarrier = Buffer.concat([Buffer.from('00000100' + '02000000' + '03100000' + '00000000', 'hex'), attribute(3, Buffer.from('eth0\0'))]);
  expect(parseLinkMessage(noCarrier)).toEqual({ index: 2, name: 'eth0', mac: '', up: false, mtu: 0 });
  expect(parseLinkMessage(Buffer.alloc(8))).toBeUndefined();
  expect(linkDumpRequest().toString('hex')).toBe('00'.repeat(16));
});
