// The timerfd behind the daemon's clock: fires once, not before its delay, re-arming moves the
// deadline, disarm and close stop it, bad arguments are refused. (Its callback must arm or disarm
// it again, as the daemon's clock does; these callbacks disarm.)
import { performance } from 'node:perf_hooks';
import { expect, test } from 'vitest';
import { nativeShims } from '../../src/linux/native.js';

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('fires once, never before its fractional delay; re-arming replaces the deadline', async () => {
  const fired: number[] = [];
  const timer = new (nativeShims().MonotonicTimer)(() => {
    fired.push(performance.now());
    timer.disarm();
  });
  try {
    for (const delay of [0.3, 2.5, 7.25]) {
      fired.length = 0;
      const armedAt = performance.now();
      timer.arm(delay);
      await wait(delay + 30);
      expect(fired).toHaveLength(1);
      expect(fired[0]! - armedAt).toBeGreaterThanOrEqual(delay);
    }
    fired.length = 0;
    const armedAt = performance.now();
    timer.arm(500);
    timer.arm(5);
    await wait(40);
    expect(fired).toHaveLength(1);
    expect(fired[0]! - armedAt).toBeLessThan(500);
  } finally {
    timer.close();
  }
});

test('a deadline already passed fires at once; disarm and close stop it', async () => {
  const fired: string[] = [];
  const timer = new (nativeShims().MonotonicTimer)(() => {
    fired.push('fired');
    timer.disarm();
  });
  timer.arm(-5);
  await wait(20);
  expect(fired).toEqual(['fired']);
  timer.arm(10);
  timer.disarm();
  await wait(30);
  expect(fired).toEqual(['fired']);
  timer.arm(10);
  timer.close();
  await wait(30);
  expect(fired).toEqual(['fired']);
  expect(() => timer.arm(1)).toThrow('arm: the timer is closed');
});

test('bad arguments are refused', () => {
  const { MonotonicTimer } = nativeShims();
  expect(() => new (MonotonicTimer as unknown as new (x: unknown) => unknown)('not a function')).toThrow(TypeError);
  const timer = new MonotonicTimer(() => undefined);
  expect(() => (timer.arm as (x: unknown) => void)('10')).toThrow(TypeError);
  timer.close();
});
