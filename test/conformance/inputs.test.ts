// The conformance cases' inputs: a line that does not fit the format is an error naming the file
// and line; a sent advertisement as the timeline prints it reads back as the same packet.
import { describe, expect, test } from 'vitest';
import { decodeAdvertisement, encodeAdvertisement } from '../../src/vrrp/packet/advertisement.js';
import { parseInputs } from './inputs.js';
import { parseAdvert, printAdvert, toAdvertisement } from './packet-text.js';

const HOST = 'host r1 r1.conf eth0=192.0.2.1/24\n';

describe('parseInputs', () => {
  test('reads hosts, timed inputs in order, peers and the end', () => {
    const inputs = parseInputs(`# a case\nshow all-packets\n${HOST}0 r1 start\n5000 peer 192.0.2.9 ttl 64 v3 vrid 51 priority 200 interval 1000 addresses 192.0.2.100\n5000 r1 link eth0 down\n9000 end\n`, 'c/inputs');
    expect(inputs.allPackets).toBe(true);
    expect(inputs.hosts).toEqual([{ name: 'r1', config: 'r1.conf', interfaces: new Map([['eth0', ['192.0.2.1/24']]]) }]);
    expect(inputs.steps.map((step) => [step.at, step.line, 'peer' in step ? 'peer' : step.command.do])).toEqual([
      [0, 4, 'start'],
      [5000, 5, 'peer'],
      [5000, 6, 'link'],
    ]);
    expect(inputs.endAt).toBe(9000);
  });

  test.each([
    [`${HOST}0 r1 start\n`, 'c/inputs: has no end line ("TIME end")'],
    [`${HOST}5000 r1 start\n1000 end\n`, 'c/inputs:3: time 1000 comes before 5000: inputs are in time order'],
    [`${HOST}0 r2 start\n1000 end\n`, 'c/inputs:2: no host "r2" (declare it with a host line)'],
    [`${HOST}0 r1 restart\n1000 end\n`, 'c/inputs:2: unknown input "restart" (start, sigterm, crash, status, reload, link, address, priority, script, file)'],
    [`${HOST}0 r1 link eth0 sideways\n1000 end\n`, 'c/inputs:2: usage: link IFACE up|down'],
    [`${HOST}0 peer 192.0.2.9 v2 vrid 51 priority 100 interval 1500 addresses 192.0.2.100\n1000 end\n`, 'c/inputs:2: a VRRPv2 interval is a whole number of seconds'],
    [`${HOST}0 peer 192.0.2.9 hex 31 3\n1000 end\n`, 'c/inputs:2: hex wants whole bytes, e.g. "hex 31 33 01 00"'],
    [`${HOST}1000 end\n2000 r1 start\n`, 'c/inputs:3: nothing may follow the end line'],
  ])('refuses %j', (text, message) => {
    expect(() => parseInputs(text, 'c/inputs')).toThrow(message);
  });
});

test.each([
  ['v3 vrid 51 priority 150 interval 1000 addresses 192.0.2.100 192.0.2.101', 'ipv4' as const],
  ['v3 vrid 51 priority 150 interval 20 checksum message-only addresses 192.0.2.100', 'ipv4' as const],
  ['v2 vrid 7 priority 0 interval 3000 auth pass secret12 addresses 192.0.2.100', 'ipv4' as const],
  ['v2 vrid 7 priority 255 interval 1000 auth ah addresses 192.0.2.100', 'ipv4' as const],
  ['v3 vrid 52 priority 100 interval 1000 addresses 2001:db8::100', 'ipv6' as const],
])('a packet printed as %j reads back as the same bytes', (text, family) => {
  const ip = family === 'ipv4' ? { family, source: '192.0.2.9', destination: '224.0.0.18' } : { family, source: 'fe80::9', destination: 'ff02::12' };
  const fields = parseAdvert(text.split(' '), (message) => {
    throw new Error(message);
  });
  const bytes = encodeAdvertisement(toAdvertisement(fields), ip, fields.checksum);
  const decoded = decodeAdvertisement(bytes, ip);
  expect(decoded.ok).toBe(true);
  if (decoded.ok) expect(printAdvert(decoded.advertisement, decoded.checksum, family)).toBe(text);
});
