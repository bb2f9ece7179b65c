// Validation of bfd_instance blocks and track_bfd lists: one case per check, with its message.
import { describe, expect, test } from 'vitest';
import type { ConfigIssue } from '../../src/config/issues.js';
import type { BfdInstanceConfig, VrrpdConfig } from '../../src/config/model.js';
import { validateConfig } from '../../src/config/validate.js';
import { bfdInstance, config, instance, syncGroup } from './builders.js';

const lines = (issues: readonly ConfigIssue[]): string[] => issues.map((issue) => `${issue.severity} ${issue.path}: ${issue.message}`);
const check = (configuration: VrrpdConfig): string[] => lines(validateConfig(configuration));
const checkBfd = (overrides: Partial<BfdInstanceConfig>): string[] => check(config({ bfdInstances: [bfdInstance(overrides)] }));

describe('bfd_instance', () => {
  test('keepalived defaults, and the largest sensible values, have no issues', () => {
    expect(checkBfd({})).toEqual([]);
    expect(checkBfd({ minRxMs: 3.312, minTxMs: 10_000, idleTxMs: 10_000, multiplier: 255, ttl: 1, maxHops: 0, multihop: true, weight: -253 })).toEqual([]);
  });

  test.each<[string, Partial<BfdInstanceConfig>, string]>([
    ['no neighbour', { neighborIp: '' }, 'error bfdInstances[upstream].neighborIp: bfd_instance upstream has no neighbor_ip: set the address of the BFD peer'],
    ['mixed families', { sourceIp: '2001:db8::1' }, 'error bfdInstances[upstream].sourceIp: source_ip 2001:db8::1 and neighbor_ip 192.0.2.254 are not of the same family'],
    ['min_rx 0', { minRxMs: 0 }, 'error bfdInstances[upstream].minRxMs: min_rx 0 is out of range: must be 1..4294967 ms'],
    ['min_tx finer than a microsecond', { minTxMs: 10.0001 }, 'error bfdInstances[upstream].minTxMs: min_tx 10.0001 is too fine: intervals have microsecond resolution (3 decimals)'],
    ['idle_tx below one second', { idleTxMs: 500 }, 'error bfdInstances[upstream].idleTxMs: idle_tx 500 is out of range: must be 1000..4294967 ms (RFC 5880 §6.8.3: at least one second while the session is not Up)'],
    ['a long interval', { minRxMs: 20_000 }, 'warning bfdInstances[upstream].minRxMs: min_rx 20000 ms is larger than the most sensible 10000 ms'],
    ['multiplier 0', { multiplier: 0 }, 'error bfdInstances[upstream].multiplier: multiplier 0 is out of range: must be 1..255'],
    ['ttl 0', { ttl: 0 }, 'error bfdInstances[upstream].ttl: ttl 0 is out of range: must be 1..255'],
    ['max_hops above ttl', { ttl: 64, maxHops: 100, multihop: true }, 'warning bfdInstances[upstream].maxHops: max_hops 100 exceeds ttl 64: any TTL is accepted (keepalived sets it to the ttl)'],
    ['weight 254', { weight: 254 }, 'error bfdInstances[upstream].weight: weight 254 is out of range: must be -253..253'],
    ['a long name', { name: 'a'.repeat(32) }, `error bfdInstances[${'a'.repeat(32)}]: bfd_instance name ${'a'.repeat(32)} is too long: at most 31 characters`],
    ['single hop below TTL 255', { ttl: 64 }, 'warning bfdInstances[upstream].ttl: a single-hop session sent with TTL 64 is refused by peers that follow RFC 5881 §5 (FRR\'s bfdd wants 255)'],
  ])('%s', (_name, overrides, message) => {
    expect(checkBfd(overrides)).toEqual([message]);
  });

  test('two sessions to the same neighbour, or of the same name, are refused', () => {
    expect(check(config({ bfdInstances: [bfdInstance(), bfdInstance({ name: 'again' })] }))).toEqual([
      'error bfdInstances[again].neighborIp: bfd_instance again has the same neighbor_ip as upstream: one session per peer',
    ]);
    expect(check(config({ bfdInstances: [bfdInstance(), bfdInstance({ neighborIp: '192.0.2.253' })] }))).toEqual([
      'error bfdInstances[upstream]: bfd_instance upstream is defined twice: names must be unique',
    ]);
    // The same neighbour from two source addresses, or single- and multi-hop, are two sessions.
    expect(check(config({ bfdInstances: [bfdInstance({ sourceIp: '192.0.2.1' }), bfdInstance({ name: 'other', sourceIp: '192.0.2.2' })] }))).toEqual([]);
  });
});

describe('track_bfd', () => {
  test('names a bfd_instance, in an instance or a sync group, with a weight in range', () => {
    const configuration = config({
      instances: [instance({ trackBfd: [{ name: 'upstream', weight: -50 }, { name: 'upstrem' }, { name: 'upstream', weight: 300 }] })],
      syncGroups: [syncGroup({ trackBfd: [{ name: 'nowhere' }], trackingWeight: true })],
      bfdInstances: [bfdInstance()],
    });
    expect(check(configuration)).toEqual([
      'error instances[VI_1].trackBfd[1]: track_bfd upstrem is not defined by any bfd_instance (did you mean upstream?)',
      'error instances[VI_1].trackBfd[2].weight: weight of track_bfd upstream 300 is out of range: must be -253..253',
      'warning instances[VI_1].trackBfd[2]: track_bfd upstream is listed twice; keepalived ignores the second',
      'error syncGroups[G1].trackBfd[0]: track_bfd nowhere is not defined by any bfd_instance',
    ]);
  });

  test('a bfd_instance written `checker` alone is not VRRP\'s to track, as in keepalived', () => {
    const configuration = config({ instances: [instance({ trackBfd: [{ name: 'upstream' }] })], bfdInstances: [bfdInstance({ notifies: { vrrp: false, checker: true } })] });
    expect(check(configuration)).toEqual(['error instances[VI_1].trackBfd[0]: track_bfd upstream cannot be tracked: bfd_instance upstream is written `checker` without `vrrp`, so VRRP does not hear of it: add `vrrp` to it']);
  });

  test('a weighted track_bfd in a sync group without sync_group_tracking_weight is not applied', () => {
    const configuration = config({ instances: [instance({ trackBfd: [{ name: 'upstream', weight: 10 }] })], syncGroups: [syncGroup()], bfdInstances: [bfdInstance()] });
    expect(check(configuration)).toEqual([
      'warning instances[VI_1].trackBfd[0]: track_bfd upstream weight 10 is not applied: VI_1 is in vrrp_sync_group G1, whose members track without weights unless the group sets sync_group_tracking_weight',
    ]);
  });
});
