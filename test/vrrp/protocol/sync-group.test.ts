// vrrp_sync_group transitions, one test per rule, on two routers under a virtual clock.
import { describe, expect, test } from 'vitest';
import type { Advertisement } from '../../../src/vrrp/packet/advertisement.js';
import { SyncGroup } from '../../../src/vrrp/protocol/sync-group.js';
import { VirtualRouter } from '../../../src/vrrp/protocol/virtual-router.js';
import { routerConfigFromSpec } from '../../../src/sim/lan.js';
import { VirtualClock } from '../../../src/core/virtual-clock.js';

const PEER = '192.0.2.20';

function group() {
  const clock = new VirtualClock();
  const log: string[] = [];
  const make = (name: string, vrid: number) =>
    new VirtualRouter(routerConfigFromSpec({ name, vrid, priority: 100 }), {
      clock,
      primaryAddress: '192.0.2.10',
      emit: (action) => {
        if (action.type === 'transition') log.push(`${clock.now()} ${name} ${action.from}->${action.to} ${action.reason}`);
      },
    });
  const a = make('VI_A', 1);
  const b = make('VI_B', 2);
  const sync = new SyncGroup('G', [a, b]);
  const advert = (router: VirtualRouter, priority: number): void => {
    const adv: Advertisement = { version: 3, vrid: router.config.vrid, priority, maxAdvertIntervalCs: 100, addresses: router.config.virtualAddresses };
    router.receive(adv, { source: PEER, ttl: 255 });
  };
  return { clock, log, a, b, sync, advert };
}

// Master_Down_Interval at priority 100, 1 s adverts: 3 s + (256-100)/256 s.
const DOWN = 3000 + (156 * 1000) / 256;

describe('vrrp_sync_group', () => {
  test('a member goes Master only when every member can; then all go together', () => {
    const { clock, log, a, b, sync } = group();
    a.start();
    b.start();
    clock.advanceBy(DOWN);
    expect([a.state, b.state]).toEqual(['Master', 'Master']);
    expect(sync.state).toBe('Master');
    // A's timer ran out first and waited for B; B's expiry took both to Master.
    expect(log.slice(2)).toEqual([`${DOWN} VI_B Backup->Master master-down`, `${DOWN} VI_A Backup->Master sync-group`]);
  });

  test('one member hearing a live Master keeps the whole group in Backup', () => {
    const { clock, a, b, advert } = group();
    a.start();
    b.start();
    for (let t = 0; t < 4 * DOWN; t += 1000) {
      advert(b, 200);
      clock.advanceBy(1000);
    }
    expect([a.state, b.state]).toEqual(['Backup', 'Backup']);
    expect(a.waitingForSyncGroup).toBe(true);
    // The Master of B's link goes away: both go Master once B's timer runs out.
    clock.advanceBy(DOWN);
    expect([a.state, b.state]).toEqual(['Master', 'Master']);
  });

  test('a Master member yielding to a higher priority takes the others to Backup', () => {
    const { clock, log, a, b, advert } = group();
    a.start();
    b.start();
    clock.advanceBy(DOWN);
    log.length = 0;
    advert(a, 200);
    expect([a.state, b.state]).toEqual(['Backup', 'Backup']);
    expect(log).toEqual([`${DOWN} VI_A Master->Backup higher-priority`, `${DOWN} VI_B Master->Backup sync-group`]);
  });

  test('one member in Fault puts the group in Fault; clearing it brings every member back', () => {
    const { clock, log, a, b } = group();
    a.start();
    b.start();
    clock.advanceBy(DOWN);
    log.length = 0;
    b.setFault(true, 'interface eth1 down');
    expect([a.state, b.state]).toEqual(['Fault', 'Fault']);
    expect(a.faultReasons).toEqual(['sync group G: VI_B in Fault']);
    b.setFault(false, 'interface eth1 up');
    expect([a.state, b.state]).toEqual(['Backup', 'Backup']);
    expect(log).toEqual([
      `${DOWN} VI_B Master->Fault fault`,
      `${DOWN} VI_A Master->Fault fault`,
      `${DOWN} VI_B Fault->Backup fault-cleared`,
      `${DOWN} VI_A Fault->Backup fault-cleared`,
    ]);
    clock.advanceBy(2 * DOWN);
    expect([a.state, b.state]).toEqual(['Master', 'Master']);
  });

  test('the group stays in Fault while any member has a fault of its own', () => {
    const { a, b } = group();
    a.start();
    b.start();
    a.setFault(true, 'check failed', 'tracking');
    b.setFault(true, 'interface eth1 down');
    a.setFault(false, undefined, 'tracking');
    expect([a.state, b.state]).toEqual(['Fault', 'Fault']);
    b.setFault(false);
    expect([a.state, b.state]).toEqual(['Backup', 'Backup']);
  });

  test('fault sources are independent: the link coming back does not clear a failed tracker', () => {
    const { a } = group();
    a.start();
    a.setFault(true, 'interface eth0 down', 'interface');
    a.setFault(true, 'script chk failed', 'tracking');
    a.setFault(false, 'interface eth0 up', 'interface');
    expect(a.state).toBe('Fault');
    a.setFault(false, undefined, 'tracking');
    expect(a.state).toBe('Backup');
  });
});
