// VirtualRouter.reconfigure (a reload's in-place update): the state is kept, a Master advertises a
// new interval or address list at once and keeps the new rhythm, a v3 Backup keeps the interval it
// learnt from the Master, and what cannot change in place is refused.
import { describe, expect, test } from 'vitest';
import { routerConfigFromSpec, type RouterSpec } from '../../../src/sim/lan.js';
import { Harness } from './harness.js';

const config = (spec: Partial<RouterSpec>) => routerConfigFromSpec({ name: 'VI_1', priority: 100, ...spec });

describe('reconfigure', () => {
  test('a Master given a new interval advertises at once, then at the new interval, without a transition', () => {
    const h = new Harness().startAsMaster();
    h.clock.advanceBy(300);
    h.router.reconfigure(config({ advertIntervalMs: 500 }));
    h.clock.advanceBy(1000);
    const start = h.clock.now() - 1000;
    expect(h.take()).toEqual([`${start} advertise 100`, `${start + 500} advertise 100`, `${start + 1000} advertise 100`]);
    expect(h.router.state).toBe('Master');
  });

  test('a Master given another address list advertises it at once; no address actions (the daemon installs them)', () => {
    const h = new Harness().startAsMaster();
    h.router.reconfigure(config({ virtualAddresses: ['192.0.2.100', '192.0.2.101'] }));
    expect(h.actions.map(({ action }) => action)).toEqual([
      { type: 'send-advertisement', advertisement: expect.objectContaining({ addresses: ['192.0.2.100', '192.0.2.101'] }) },
    ]);
  });

  test('a change that does not show on the wire sends nothing', () => {
    const h = new Harness().startAsMaster();
    h.router.reconfigure(config({ preempt: false, lowerPrioNoAdvert: true }));
    expect(h.take()).toEqual([]);
    expect(h.router.config.preempt).toBe(false);
  });

  test('a v3 Backup keeps the Master_Adver_Interval it learnt', () => {
    const h = new Harness({ priority: 100 }).startAsBackup();
    h.advertise(150, { intervalMs: 2000 });
    h.router.reconfigure(config({ advertIntervalMs: 500 }));
    expect(h.router.status().masterAdverIntervalMs).toBe(2000);
    expect(h.take()).toEqual([]);
  });

  test('nopreempt by reload: a Backup that would have preempted a lower Master now tolerates it', () => {
    const h = new Harness({ priority: 100 }).startAsBackup();
    h.advertise(50);
    h.router.reconfigure(config({ preempt: false }));
    for (let i = 0; i < 5; i++) {
      h.clock.advanceBy(1000);
      h.advertise(50);
    }
    expect(h.router.state).toBe('Backup');
    // The same without the reload preempts (the test can fail).
    const control = new Harness({ priority: 100 }).startAsBackup();
    for (let i = 0; i < 5; i++) {
      control.clock.advanceBy(1000);
      control.advertise(50);
    }
    expect(control.router.state).toBe('Master');
  });

  test('a Master given another version stays Master and advertises in it at once, then at its interval', () => {
    const h = new Harness().startAsMaster();
    h.clock.advanceBy(300);
    h.router.reconfigure(config({ version: 2 }));
    h.clock.advanceBy(1000);
    const versions = h.actions.flatMap(({ action }) => (action.type === 'send-advertisement' ? [action.advertisement.version] : []));
    expect(versions).toEqual([2, 2]);
    expect(h.router.state).toBe('Master');
    expect(h.router.status().masterDownIntervalMs).toBe(3609.375);
  });

  test('VRID, family and address ownership are refused (the daemon restarts instead)', () => {
    const h = new Harness().startAsMaster();
    expect(() => h.router.reconfigure(config({ vrid: 2 }))).toThrow('VRID and family cannot change in place');
    expect(() => h.router.reconfigure(config({ priority: 255 }))).toThrow('address ownership cannot change in place');
    expect(h.router.config.priority).toBe(100);
  });
});
