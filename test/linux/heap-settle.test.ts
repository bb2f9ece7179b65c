import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { settleHeapAfterBursts, shouldSettle } from '../../src/linux/heap-settle.js';

const MB = 1024 * 1024;

describe('shouldSettle', () => {
  test('asks for a collection past a quarter of the settled size, 4 MB at least', () => {
    expect(shouldSettle(19 * MB, 16 * MB)).toBe(false);
    expect(shouldSettle(20.5 * MB, 16 * MB)).toBe(true);
    expect(shouldSettle(7.9 * MB, 4 * MB)).toBe(false);
    expect(shouldSettle(8.1 * MB, 4 * MB)).toBe(true);
    expect(shouldSettle(49 * MB, 40 * MB)).toBe(false);
    expect(shouldSettle(51 * MB, 40 * MB)).toBe(true);
  });
});

describe('settleHeapAfterBursts', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  test('once 45 s after start, then only when the old generation grew past the settled reading', () => {
    let used = 30 * MB;
    const notify = vi.fn(() => {
      used = 16 * MB;
    });
    const stop = settleHeapAfterBursts(notify, () => used);
    vi.advanceTimersByTime(30_000);
    expect(notify).not.toHaveBeenCalled();
    vi.advanceTimersByTime(15_000);
    expect(notify).toHaveBeenCalledTimes(1);
    // Settled at 16 MB; growth below 4 MB asks for nothing.
    vi.advanceTimersByTime(15_000);
    used = 19 * MB;
    vi.advanceTimersByTime(60_000);
    expect(notify).toHaveBeenCalledTimes(1);
    // A burst (a takeover and give-back): one collection.
    used = 32 * MB;
    vi.advanceTimersByTime(15_000);
    expect(notify).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(60_000);
    expect(notify).toHaveBeenCalledTimes(2);
    stop();
    used = 64 * MB;
    vi.advanceTimersByTime(60_000);
    expect(notify).toHaveBeenCalledTimes(2);
  });
});
