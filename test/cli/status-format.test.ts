import { expect, test } from 'vitest';
import { DISCARD_REASONS } from '../../src/bfd/packet.js';
import { formatBfdTable, formatStatusTable } from '../../src/cli/status.js';
import type { InstanceStatus } from '../../src/daemon/vrrp/routers.js';
import { newStatistics } from '../../src/vrrp/protocol/statistics.js';

const base: InstanceStatus = {
  name: 'VI_1',
  vrid: 51,
  version: 3,
  family: 'ipv4',
  interface: 'eth0',
  state: 'Backup',
  inStateMs: 12_345,
  lastTransitionReason: 'higher-priority',
  basePriority: 150,
  priorityOverride: 90,
  effectivePriority: 90,
  master: { address: '192.0.2.2', priority: 100 },
  advertIntervalMs: 1000,
  masterDownIntervalMs: 3648.4375,
  virtualAddresses: ['192.0.2.100/24'],
  statistics: newStatistics(),
  trackers: [],
  faultReasons: [],
  syncGroup: null,
};

test('the status table shows the override, the Master heard and why', () => {
  expect(formatStatusTable([base, { ...base, name: 'VI_6', vrid: 6, state: 'Master', priorityOverride: null, effectivePriority: 200, basePriority: 200, master: null, lastTransitionReason: 'master-down', virtualAddresses: ['2001:db8::1/64'] }])).toBe(
    [
      'INSTANCE  STATE   SINCE   VRID  VER  IF    PRIORITY                 MASTER           REASON           VIPS',
      'VI_1      Backup  12.3 s  51    v3   eth0  90 (override; base 150)  192.0.2.2 (100)  higher-priority  192.0.2.100/24',
      'VI_6      Master  12.3 s  6     v3   eth0  200                      self             master-down      2001:db8::1/64',
      '',
    ].join('\n'),
  );
});

test('trackers are listed under the table: kind, state, weight and what each adds now', () => {
  const tracked: InstanceStatus = {
    ...base,
    priorityOverride: null,
    effectivePriority: 120,
    syncGroup: 'G1',
    trackers: [
      { name: 'chk_haproxy', kind: 'script', state: 'failed', weight: -30, reverse: false, applied: -30, fault: false, detail: 'exit status 1' },
      { name: 'eth1', kind: 'interface', state: 'ok', weight: 0, reverse: false, applied: 0, fault: false },
      { name: 'maint', kind: 'file', state: 'ok', weight: 1, reverse: false, applied: 0, fault: false, value: 0 },
    ],
  };
  expect(formatStatusTable([tracked]).split('\n').slice(2)).toEqual([
    '',
    'VI_1 (sync group G1): base 150, effective 120',
    '  script     chk_haproxy  failed  weight -30  -30 (exit status 1)',
    '  interface  eth1         ok      weight 0    0',
    '  file       maint        ok      weight 1    0 (value 0)',
    '',
  ]);
});

test('the status table shows each virtual server with its real servers, checkers and weights', async () => {
  const { formatVirtualServers } = await import('../../src/cli/status.js');
  expect(
    formatVirtualServers([
      {
        key: '[192.0.2.100]:tcp:80',
        method: 'NAT',
        scheduler: 'wlc',
        persistenceTimeoutS: 1800,
        quorum: { up: true, liveWeight: 2, quorum: 1, hysteresis: 0 },
        suspended: false,
        sorryServer: { key: '[198.51.100.99]:tcp:80', active: false },
        realServers: [
          { key: '[198.51.100.11]:tcp:80', alive: true, inService: true, weight: 1, configuredWeight: 1, checkers: [{ id: 'TCP_CHECK', state: 'up', runs: 3, detail: 'connected' }] },
          { key: '[198.51.100.12]:tcp:80', alive: false, inService: false, weight: 0, configuredWeight: 1, checkers: [{ id: 'TCP_CHECK', state: 'failed', runs: 3, detail: 'connection refused', reason: 'refused', lastFailure: 'connection refused' }] },
          {
            key: '[198.51.100.13]:tcp:80',
            alive: true,
            inService: true,
            weight: 1,
            configuredWeight: 1,
            checkers: [{ id: 'HTTP_GET', state: 'up', runs: 9, detail: 'HTTP status 200, digest matches', lastFailure: 'HTTP status 503 (expected 200)' }],
          },
        ],
      },
    ]),
  ).toBe(
    [
      'VS [192.0.2.100]:tcp:80 NAT wlc persistence 1800 s: quorum up (weight 2, quorum 1); sorry server [198.51.100.99]:tcp:80',
      '  REAL SERVER             STATE  WEIGHT    CHECKERS',
      '  [198.51.100.11]:tcp:80  UP     weight 1  TCP_CHECK up (connected)',
      '  [198.51.100.12]:tcp:80  DOWN   out       TCP_CHECK failed (connection refused)',
      '  [198.51.100.13]:tcp:80  UP     weight 1  HTTP_GET up (HTTP status 200, digest matches; last failure: HTTP status 503 (expected 200))',
      '',
    ].join('\n'),
  );
});

test('BFD sessions are listed with state, remote discriminator, agreed timers and the last down reason; discards below', () => {
  const session = {
    name: 'upstream',
    family: 'ipv4' as const,
    peer: '192.0.2.254',
    local: '192.0.2.1',
    multihop: false,
    state: 'Up' as const,
    remoteState: 'Up' as const,
    localDiscr: 1234,
    remoteDiscr: 987654321,
    localDiag: 0,
    remoteDiag: 0,
    desiredMinTxInterval: 50_000,
    requiredMinRxInterval: 50_000,
    detectMult: 3,
    remote: { desiredMinTxInterval: 50_000, requiredMinRxInterval: 50_000, detectMult: 3 },
    timers: { transmitInterval: 50_000, detectionTime: 150_000 },
    polling: false,
    packetsSent: 100,
    packetsReceived: 99,
    stateForMs: 61_500,
    lastDown: { diag: 1, reason: 'Control Detection Time Expired', agoMs: 62_000 },
    upTransitions: 2,
    downTransitions: 1,
    discarded: 0,
  };
  const text = formatBfdTable({
    sessions: [session, { ...session, name: 'far', peer: '198.51.100.1', multihop: true, state: 'Down', remoteDiscr: 0, timers: { transmitInterval: 1_000_000, detectionTime: 0 }, stateForMs: 3000 }],
    discarded: { ...Object.fromEntries(DISCARD_REASONS.map((reason) => [reason, 0])), ttl: 4, 'unknown-discriminator': 1 } as Record<(typeof DISCARD_REASONS)[number], number>,
    sendErrors: 0,
  });
  const { lastDown: _, ...neverDown } = session;
  expect(formatBfdTable({ sessions: [neverDown], discarded: Object.fromEntries(DISCARD_REASONS.map((reason) => [reason, 0])) as Record<(typeof DISCARD_REASONS)[number], number>, sendErrors: 0 }).split('\n')[1]).toMatch(/ -$/);
  expect(text).toBe(
    [
      'BFD       STATE  SINCE   PEER                      REMOTE DISCR  TX       DETECT  LAST DOWN',
      'upstream  Up     61.5 s  192.0.2.254               987654321     50 ms    150 ms  Control Detection Time Expired (62.0 s ago)',
      'far       Down   3.0 s   198.51.100.1 (multi-hop)  -             1000 ms  -       Control Detection Time Expired (62.0 s ago)',
      '',
      'discarded: ttl 4, unknown-discriminator 1',
      '',
    ].join('\n'),
  );
});
