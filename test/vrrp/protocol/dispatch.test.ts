import { expect, test } from 'vitest';
import { encodeAdvertisement, type IpContext } from '../../../src/vrrp/packet/advertisement.js';
import { dispatchPacket, receiveForVrid } from '../../../src/vrrp/protocol/dispatch.js';
import { AdvertisementDecoder } from '../../../src/vrrp/packet/advertisement.js';
import type { Rejection } from '../../../src/vrrp/packet/rejection.js';
import { VirtualRouter } from '../../../src/vrrp/protocol/virtual-router.js';
import { routerConfigFromSpec } from '../../../src/sim/lan.js';
import { VirtualClock } from '../../../src/core/virtual-clock.js';

const clock = new VirtualClock();
const make = (name: string, vrid: number, family: 'ipv4' | 'ipv6') =>
  new VirtualRouter(
    routerConfigFromSpec({ name, priority: 100, vrid, family, virtualAddresses: family === 'ipv4' ? ['192.0.2.100'] : ['2001:db8::100'] }),
    { clock, emit: () => undefined, primaryAddress: family === 'ipv4' ? '192.0.2.10' : 'fe80::10' },
  );
const v4vrid7 = make('v4-7', 7, 'ipv4');
const v6vrid7 = make('v6-7', 7, 'ipv6');
const v4vrid8 = make('v4-8', 8, 'ipv4');
const routers = [v4vrid7, v6vrid7, v4vrid8];
const ip: IpContext = { family: 'ipv4', source: '192.0.2.20', destination: '224.0.0.18' };
const advert = (vrid: number) => encodeAdvertisement({ version: 3, vrid, priority: 200, maxAdvertIntervalCs: 100, addresses: ['192.0.2.100'] }, ip);

test('an advertisement reaches only the router of its VRID and family', () => {
  const results = dispatchPacket(routers, { bytes: advert(7), ip, ttl: 255 });
  expect(results).toHaveLength(1);
  expect(results[0]).toMatchObject({ kind: 'received', router: v4vrid7, outcome: { accepted: true } });
  expect(v4vrid7.statistics.advertisementsReceived).toBe(1);
  expect(v6vrid7.statistics.advertisementsReceived).toBe(0);
});

test('a VRID nobody here runs is reported as foreign', () => {
  expect(dispatchPacket(routers, { bytes: advert(9), ip, ttl: 255 })).toEqual([{ kind: 'foreign-vrid', vrid: 9 }]);
});

test('a malformed packet is counted on the routers of the VRID it names', () => {
  const bytes = advert(8);
  bytes[7] = (bytes[7] ?? 0) ^ 0xff;
  const [result] = dispatchPacket(routers, { bytes, ip, ttl: 255 });
  expect(result).toMatchObject({ kind: 'malformed', rejection: { reason: 'checksum' }, countedBy: [v4vrid8] });
  expect(v4vrid8.statistics.rejected.checksum).toBe(1);
});

test('the received TTL is checked by the router', () => {
  const [result] = dispatchPacket(routers, { bytes: advert(7), ip, ttl: 1 });
  expect(result).toMatchObject({ kind: 'received', outcome: { accepted: false, rejection: { reason: 'ttl' } } });
});

test('receiveForVrid (the daemon path, routers chosen by VRID): accepted, refused and malformed as dispatchPacket reports them', () => {
  const router = make('v4-5', 5, 'ipv4');
  const decoder = new AdvertisementDecoder();
  const seen: string[] = [];
  const rejections = {
    malformed: (rejection: Rejection) => seen.push(`malformed ${rejection.reason}`),
    refused: (by: VirtualRouter, rejection: Rejection) => seen.push(`${by.config.name} ${rejection.reason}`),
  };
  receiveForVrid([router], { bytes: advert(5), ip, source: ip.source, ttl: 255 }, decoder, rejections);
  receiveForVrid([router], { bytes: advert(5), ip, source: ip.source, ttl: 255 }, decoder, rejections);
  expect(router.statistics.advertisementsReceived).toBe(2);
  receiveForVrid([router], { bytes: advert(5), ip, source: ip.source, ttl: 1 }, decoder, rejections);
  const broken = advert(5);
  broken[7] = (broken[7] ?? 0) ^ 0xff;
  receiveForVrid([router], { bytes: broken, ip, source: ip.source, ttl: 255 }, decoder, rejections);
  expect(seen).toEqual(['v4-5 ttl', 'malformed checksum']);
  expect(router.statistics.rejected.ttl).toBe(1);
  expect(router.statistics.rejected.checksum).toBe(1);
  expect(router.statistics.advertisementsReceived).toBe(2);
});
