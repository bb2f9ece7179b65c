// OneShotTimer.startAfterExpiry, the Adver_Timer's restart: the period counts from when the timer
// was due, so lateness in running it is not added to every period; never a catch-up burst.
import { expect, test } from 'vitest';
import { OneShotTimer, type Clock, type ClockTimer, type TimerHandle } from '../../src/core/clock.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';

/** The virtual clock, but every timer runs `lateMs` after its deadline (a busy loop). */
class LateClock implements Clock {
  constructor(
    readonly inner: VirtualClock,
    public lateMs: number,
  ) {}
  now(): number {
    return this.inner.now();
  }
  setTimer(delayMs: number, callback: () => void): TimerHandle {
    return this.inner.setTimer(delayMs + this.lateMs, callback);
  }
  createTimer(callback: () => void): ClockTimer {
    const timer = this.inner.createTimer(callback);
    return { arm: (delayMs) => timer.arm(delayMs + this.lateMs), armAt: (at) => timer.armAt(at + this.lateMs), disarm: () => timer.disarm() };
  }
}

function periodic(clock: LateClock, restart: 'start' | 'startAfterExpiry'): number[] {
  const fired: number[] = [];
  const timer: OneShotTimer = new OneShotTimer(clock, () => {
    fired.push(clock.now());
    timer[restart](1000);
  });
  timer.start(1000);
  clock.inner.advanceTo(4500);
  return fired;
}

test('run 30 ms late each time, the timer restarted after its expiry keeps a 1000 ms period; restarted from now it drifts', () => {
  const clock = new VirtualClock();
  expect(periodic(new LateClock(clock, 30), 'startAfterExpiry')).toEqual([1030, 2030, 3030, 4030]);
  const drifting = new VirtualClock();
  expect(periodic(new LateClock(drifting, 30), 'start')).toEqual([1030, 2060, 3090, 4120]);
});

test('run later than a whole period, the next expiry is a full period from now, not at once', () => {
  const inner = new VirtualClock();
  const clock = new LateClock(inner, 1500);
  const fired: number[] = [];
  const timer: OneShotTimer = new OneShotTimer(clock, () => {
    fired.push(clock.now());
    clock.lateMs = 0;
    timer.startAfterExpiry(1000);
  });
  timer.start(1000);
  inner.advanceTo(6000);
  expect(fired.slice(0, 3)).toEqual([2500, 3500, 4500]);
});

test('outside its own expiry it is start()', () => {
  const inner = new VirtualClock();
  const fired: number[] = [];
  const timer = new OneShotTimer(inner, () => fired.push(inner.now()));
  inner.advanceTo(100);
  timer.startAfterExpiry(1000);
  expect(timer.remainingMs()).toBe(1000);
  inner.advanceTo(2000);
  expect(fired).toEqual([1100]);
});

test('pushed later on every packet, the timer expires at the last deadline exactly, and the clock calls it once: its entry moves on each restart, no wake-up at a stale deadline', () => {
  const inner = new VirtualClock();
  let created = 0;
  let clockCalls = 0;
  const counting: Clock = {
    now: () => inner.now(),
    setTimer: (delayMs, callback) => inner.setTimer(delayMs, callback),
    createTimer: (callback) => {
      created++;
      return inner.createTimer(() => {
        clockCalls++;
        callback();
      });
    },
  };
  const fired: number[] = [];
  const timer = new OneShotTimer(counting, () => fired.push(inner.now()));
  timer.start(3609);
  // An advertisement every 1000 ms for 10 s restarts it (a Backup's Master_Down_Timer).
  for (let t = 1000; t <= 10_000; t += 1000) {
    inner.advanceTo(t);
    timer.start(3609);
    expect(timer.remainingMs()).toBe(3609);
  }
  inner.advanceTo(20_000);
  expect(fired).toEqual([13_609]);
  // Once, at the last deadline: not at 3609, 6609, 9609 and 12609 too, to find it pushed later.
  expect(clockCalls).toBe(1);
  // All of it on the one clock timer the OneShotTimer made: nothing allocated per restart.
  expect(created).toBe(1);
  // Brought earlier, it is set again at once.
  timer.start(100);
  timer.start(50);
  inner.advanceTo(20_060);
  expect(fired).toEqual([13_609, 20_050]);
  expect(clockCalls).toBe(2);
});
