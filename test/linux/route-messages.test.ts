// Route and rule message bodies: the fields the kernel reads, tagged with vrrpd's protocol, and
// the parser reading back what it wrote (the kernel's dumps use the same layout).
import { expect, test } from 'vitest';
import {
  parseRouteMessage,
  parseRuleMessage,
  routeRequest,
  ruleRequest,
  RTM_DELROUTE,
  RTM_NEWROUTE,
  VRRPD_ROUTE_PROTOCOL,
  type RouteRequest,
  type RuleRequest,
} from '../../src/linux/netlink/route-messages.js';

const route: RouteRequest = {
  family: 'ipv4',
  destination: '198.51.100.0',
  prefixLength: 24,
  table: 1000,
  type: 1,
  protocol: VRRPD_ROUTE_PROTOCOL,
  gateway: '192.0.2.254',
  source: '192.0.2.100',
  outputInterfaceIndex: 2,
  metric: 5,
};

test('a route: rtmsg header (table above 255 as RT_TABLE_COMPAT plus RTA_TABLE), link scope only without a gateway', () => {
  const body = routeRequest(route, RTM_NEWROUTE);
  // family, dst_len, src_len, tos, table, protocol, scope, type
  expect([...body.subarray(0, 8)]).toEqual([2, 24, 0, 0, 252, VRRPD_ROUTE_PROTOCOL, 0, 1]);
  expect(parseRouteMessage(body)).toEqual({ ...route, scope: 0, source: undefined });
  const { gateway: _gateway, ...direct } = route;
  expect(routeRequest(direct, RTM_NEWROUTE).readUInt8(6)).toBe(253);
  // A delete matches any scope and names the protocol, so the kernel only deletes vrrpd's.
  const deletion = routeRequest(route, RTM_DELROUTE);
  expect([deletion.readUInt8(5), deletion.readUInt8(6)]).toEqual([VRRPD_ROUTE_PROTOCOL, 255]);
});

test('an IPv6 default blackhole route has no RTA_DST', () => {
  const blackhole: RouteRequest = { family: 'ipv6', destination: '::', prefixLength: 0, table: 100, type: 6, protocol: VRRPD_ROUTE_PROTOCOL };
  const body = routeRequest(blackhole, RTM_NEWROUTE);
  expect(body.length).toBe(12 + 8); // header and RTA_TABLE only
  expect(parseRouteMessage(body)).toEqual({ ...blackhole, scope: 0 });
});

test('a rule: FR_ACT_TO_TBL, FIB_RULE_INVERT, every selector and FRA_PROTOCOL read back', () => {
  const rule: RuleRequest = {
    family: 'ipv6',
    from: { address: '2001:db8::', prefixLength: 32 },
    to: { address: '2001:db8:1::1', prefixLength: 128 },
    table: 100,
    priority: 100,
    inputInterface: 'eth0',
    outputInterface: 'eth1',
    fwmark: 0x10,
    fwmask: 0xff,
    invert: true,
    protocol: VRRPD_ROUTE_PROTOCOL,
  };
  const body = ruleRequest(rule);
  // family, dst_len, src_len, tos, table, res1, res2, action; flags
  expect([...body.subarray(0, 8)]).toEqual([10, 128, 32, 0, 100, 0, 0, 1]);
  expect(body.readUInt32LE(8)).toBe(2);
  expect(parseRuleMessage(body)).toEqual(rule);
});
