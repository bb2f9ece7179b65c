// The rtnetlink link messages vrrpd builds for use_vmac, byte by byte (rtnetlink(7), linux/if_link.h).
import { expect, test } from 'vitest';
import { deleteLinkRequest, linkKind, linkStateRequest, macvlanRequest } from '../../src/linux/netlink/link-messages.js';
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
