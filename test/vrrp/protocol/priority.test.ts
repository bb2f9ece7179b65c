import { expect, test } from 'vitest';
import { effectivePriority } from '../../../src/vrrp/protocol/priority.js';
import { masterDownInterval, skewTime } from '../../../src/vrrp/protocol/timers.js';

test('effective priority adds weights and stays within 1..254', () => {
  expect(effectivePriority(100, [20, -30])).toBe(90);
  expect(effectivePriority(100, [200])).toBe(254);
  expect(effectivePriority(100, [-150])).toBe(1);
  expect(effectivePriority(254, [10])).toBe(254);
});

test('the address owner ignores weights', () => {
  expect(effectivePriority(255, [-100])).toBe(255);
});

test('RFC timer formulas, to the exact millisecond', () => {
  expect(skewTime(2, 100, 1000)).toBe(609.375);
  expect(skewTime(2, 100, 5000)).toBe(609.375);
  expect(skewTime(3, 100, 20)).toBe(12.1875);
  expect(masterDownInterval(3, 254, 20)).toBe(60.15625);
  expect(masterDownInterval(2, 255, 1000)).toBe(3003.90625);
});
