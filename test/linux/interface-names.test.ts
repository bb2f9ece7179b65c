// `vrrpd check` (without --host) reads the interfaces of its network namespace from
// /proc/self/net/dev; host-interfaces.test.ts shows it reads vrrpd's namespace, not /sys's.
import { describe, expect, test } from 'vitest';
import { interfaceNamesOfThisNamespace, parseProcNetDev } from '../../src/linux/interface-names.js';

describe('/proc/net/dev', () => {
  test('the names after the two heading lines, whatever their width and characters', () => {
    const text = [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      '    lo:  286137    3309    0    0    0     0          0         0   286137    3309    0    0    0     0       0          0',
      'eth0.100: 1 2 0 0 0 0 0 0 1 2 0 0 0 0 0 0',
      'vrrp4-if_name-15:12345678901 2 0 0 0 0 0 0 1 2 0 0 0 0 0 0',
      '',
    ].join('\n');
    expect([...parseProcNetDev(text)]).toEqual(['lo', 'eth0.100', 'vrrp4-if_name-15']);
  });

  test('this namespace has lo', async () => {
    expect(await interfaceNamesOfThisNamespace()).toContain('lo');
  });
});
