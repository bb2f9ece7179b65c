// The pure parts of the Linux layer: rtnetlink address messages and received IPv4 headers.
import { expect, test } from 'vitest';
import { addressRequest, parseAddressMessage, RTM_DELADDR, RTM_NEWADDR, scopeNumber, VRRPD_ADDRESS_PROTOCOL } from '../../src/linux/netlink/address-messages.js';
import { parseIpv4Packet } from '../../src/linux/sockets/ipv4-header.js';
import { ipPacket } from '../helpers/pcap.js';

test('an RTM_NEWADDR request carries the address, label, broadcast and vrrpd tag, and parses back', () => {
  const body = addressRequest({ family: 'ipv4', address: '192.0.2.100', prefixLength: 24, interfaceIndex: 3, label: 'eth0:vip', broadcast: '192.0.2.255', scope: 'link' }, RTM_NEWADDR);
  expect(parseAddressMessage(body)).toEqual({
    family: 'ipv4',
    prefixLength: 24,
    flags: 0,
    scope: 253,
    interfaceIndex: 3,
    address: '192.0.2.100',
    label: 'eth0:vip',
    broadcast: '192.0.2.255',
    protocol: VRRPD_ADDRESS_PROTOCOL,
  });
});

test('IPv6 addresses are added without duplicate address detection (IFA_F_NODAD), as keepalived does', () => {
  const body = addressRequest({ family: 'ipv6', address: '2001:db8::100', prefixLength: 64, interfaceIndex: 2 }, RTM_NEWADDR);
  expect(parseAddressMessage(body)).toMatchObject({ family: 'ipv6', address: '2001:db8::100', flags: 0x02, protocol: VRRPD_ADDRESS_PROTOCOL });
});

test('a delete request names the address only', () => {
  const body = addressRequest({ family: 'ipv4', address: '192.0.2.100', prefixLength: 24, interfaceIndex: 3, label: 'x' }, RTM_DELADDR);
  expect(parseAddressMessage(body)).toEqual({ family: 'ipv4', prefixLength: 24, flags: 0, scope: 0, interfaceIndex: 3, address: '192.0.2.100' });
});

test('scopes by name or number; unknown names are undefined', () => {
  expect([scopeNumber(undefined), scopeNumber('host'), scopeNumber('link'), scopeNumber('17'), scopeNumber('galaxy')]).toEqual([0, 254, 253, 17, undefined]);
});

test('truncated or foreign messages parse to undefined instead of throwing', () => {
  expect(parseAddressMessage(new Uint8Array(4))).toBeUndefined();
  expect(parseAddressMessage(Uint8Array.of(7, 24, 0, 0, 1, 0, 0, 0))).toBeUndefined();
});

test('the IPv4 header of a received packet gives source, destination, TTL and the VRRP payload', () => {
  const payload = Uint8Array.of(0x31, 1, 100, 0, 0, 100, 0, 0);
  expect(parseIpv4Packet(ipPacket('ipv4', '192.0.2.1', '224.0.0.18', payload, 254))).toEqual({
    source: '192.0.2.1',
    destination: '224.0.0.18',
    ttl: 254,
    protocol: 112,
    payload,
  });
  expect(parseIpv4Packet(new Uint8Array(10))).toBeUndefined();
});
