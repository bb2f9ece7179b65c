// The timer queue behind both clocks: deadline order, arming order at equal deadlines,
// cancellation before and after a timer is taken out, and entries armed again (restartable
// timers) moving in the heap or coming back after they ran.
import { expect, test } from 'vitest';
import { TimerQueue } from '../../../src/core/timer-queue.js';

function drain<T>(queue: TimerQueue<T>, time: number): T[] {
  const out: T[] = [];
  for (let next = queue.takeDue(time); next; next = queue.takeDue(time)) out.push(next.value);
  return out;
}

test('takes timers out in deadline order, same deadlines in the order they were added', () => {
  const queue = new TimerQueue<string>();
  queue.add(30, 'c');
  queue.add(10, 'a1');
  queue.add(20, 'b');
  queue.add(10, 'a2');
  expect(queue.nextAt()).toBe(10);
  expect(drain(queue, 15)).toEqual(['a1', 'a2']);
  expect(queue.size).toBe(2);
  expect(drain(queue, 30)).toEqual(['b', 'c']);
  expect(queue.nextAt()).toBeUndefined();
});

test('a cancelled timer never comes out and stops counting; cancelling a taken one is harmless', () => {
  const queue = new TimerQueue<string>();
  const a = queue.add(10, 'a');
  queue.add(20, 'b');
  queue.cancel(a);
  queue.cancel(a);
  expect(queue.size).toBe(1);
  expect(queue.nextAt()).toBe(20);
  const [b] = [queue.takeDue(20)];
  expect(b?.value).toBe('b');
  queue.cancel(b!);
  expect(queue.size).toBe(0);
  queue.add(5, 'c');
  expect(queue.size).toBe(1);
  expect(drain(queue, 5)).toEqual(['c']);
});

test('many cancellations keep the live timers and their order', () => {
  const queue = new TimerQueue<number>();
  const timers = Array.from({ length: 1000 }, (_, i) => queue.add((i * 7919) % 1000, i));
  for (const timer of timers) if (timer.value % 10 !== 0) queue.cancel(timer);
  expect(queue.size).toBe(100);
  const out: Array<{ at: number; value: number }> = [];
  for (let next = queue.takeDue(Infinity); next; next = queue.takeDue(Infinity)) out.push({ at: next.at, value: next.value });
  expect(out.map((t) => t.value).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i * 10));
  for (let i = 1; i < out.length; i++) expect(out[i]!.at).toBeGreaterThanOrEqual(out[i - 1]!.at);
});

test('an entry armed again moves to its new deadline, earlier or later, and runs once', () => {
  const queue = new TimerQueue<string>();
  const a = queue.entry('a');
  queue.add(20, 'b');
  queue.arm(a, 30);
  queue.add(25, 'c');
  expect(queue.size).toBe(3);
  queue.arm(a, 10);
  expect(queue.nextAt()).toBe(10);
  queue.arm(a, 40);
  expect(queue.size).toBe(3);
  expect(drain(queue, 100)).toEqual(['b', 'c', 'a']);
});

test('an entry taken out as due is due until it ran, was cancelled or was armed again', () => {
  const queue = new TimerQueue<string>();
  const a = queue.add(10, 'a');
  const taken = queue.takeDue(10)!;
  expect(taken).toBe(a);
  expect(queue.isDue(a)).toBe(true);
  queue.ran(a);
  expect(queue.isDue(a)).toBe(false);
  // Armed again after it ran: back in the heap.
  queue.arm(a, 20);
  expect(queue.takeDue(20)).toBe(a);
  queue.cancel(a);
  expect(queue.isDue(a)).toBe(false);
  queue.arm(a, 30);
  queue.takeDue(30);
  // Armed again while waiting to run: no longer due, queued at its new deadline.
  queue.arm(a, 40);
  expect(queue.isDue(a)).toBe(false);
  expect(queue.nextAt()).toBe(40);
});

test('random arming, cancelling and taking agree with a sorted list', () => {
  const queue = new TimerQueue<number>();
  const entries = Array.from({ length: 50 }, (_, i) => queue.entry(i));
  const expected = new Map<number, { at: number; order: number }>();
  let order = 0;
  let seed = 7;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  let time = 0;
  for (let step = 0; step < 5000; step++) {
    const i = random(entries.length);
    const op = random(10);
    if (op < 6) {
      const at = time + random(100);
      queue.arm(entries[i]!, at);
      expected.set(i, { at, order: order++ });
    } else if (op < 8) {
      queue.cancel(entries[i]!);
      expected.delete(i);
    } else {
      time += random(20);
      const want = [...expected].filter(([, e]) => e.at <= time).sort((x, y) => x[1].at - y[1].at || x[1].order - y[1].order).map(([value]) => value);
      const got: number[] = [];
      for (let next = queue.takeDue(time); next; next = queue.takeDue(time)) {
        got.push(next.value);
        queue.ran(next);
        expected.delete(next.value);
      }
      expect(got).toEqual(want);
    }
    expect(queue.size).toBe(expected.size);
  }
});

test('all due at once after many entries were armed later while waiting: taken in deadline order, ties in arming order', () => {
  // The lazy path: an entry armed later keeps its old place and sinks only on reaching the top.
  const queue = new TimerQueue<number>();
  const entries = Array.from({ length: 200 }, (_, i) => queue.entry(i));
  entries.forEach((entry, i) => queue.arm(entry, i % 17));
  // Every other one later (some to the same deadline as others), a few earlier again.
  entries.forEach((entry, i) => {
    if (i % 2 === 0) queue.arm(entry, 100 + (i % 13));
  });
  entries.forEach((entry, i) => {
    if (i % 10 === 0) queue.arm(entry, 5);
  });
  const expected = entries
    .map((entry, i) => ({ value: i, at: entry.at, armed: i % 10 === 0 ? 2 : i % 2 === 0 ? 1 : 0, i }))
    .sort((x, y) => x.at - y.at || x.armed - y.armed || x.i - y.i)
    .map((e) => e.value);
  expect(drain(queue, Infinity)).toEqual(expected);
});
