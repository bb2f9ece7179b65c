// The timer queue behind both clocks: deadline order, creation order at equal deadlines,
// cancellation before and after a timer is taken out, and compaction keeping the order.
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

test('compaction after many cancellations keeps the live timers and their order', () => {
  const queue = new TimerQueue<number>();
  const timers = Array.from({ length: 1000 }, (_, i) => queue.add((i * 7919) % 1000, i));
  for (const timer of timers) if (timer.value % 10 !== 0) queue.cancel(timer);
  expect(queue.size).toBe(100);
  const out: Array<{ at: number; value: number }> = [];
  for (let next = queue.takeDue(Infinity); next; next = queue.takeDue(Infinity)) out.push({ at: next.at, value: next.value });
  expect(out.map((t) => t.value).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i * 10));
  for (let i = 1; i < out.length; i++) expect(out[i]!.at).toBeGreaterThanOrEqual(out[i - 1]!.at);
});
