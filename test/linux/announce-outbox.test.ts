// The announcement frames' budget (src/linux/announce/outbox.ts): a burst beyond a window's
// budget leaves over later windows, in order, with the event loop free in between.
import { expect, test } from 'vitest';
import { FrameOutbox } from '../../src/linux/announce/outbox.js';

const until = async (done: () => boolean): Promise<void> => {
  const deadline = performance.now() + 5000;
  while (!done() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
};

test('up to the budget leaves at once; the rest, in order, at most a budget per window, the loop free in between', async () => {
  const outbox = new FrameOutbox(3);
  const sent: number[] = [];
  const batches: number[][] = [];
  for (let i = 0; i < 8; i++) outbox.send(() => sent.push(i));
  expect(sent).toEqual([0, 1, 2]);
  expect(outbox.backlog).toBe(5);
  // Sampled every turn of the loop: what went out since the last turn.
  let seen = 3;
  const sample = (): void => {
    if (sent.length > seen) batches.push(sent.slice(seen));
    seen = sent.length;
    if (sent.length < 8) setImmediate(sample);
  };
  setImmediate(sample);
  await until(() => sent.length === 8);
  await new Promise((resolve) => setImmediate(resolve));
  expect(sent).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  expect(batches).toEqual([[3, 4, 5], [6, 7]]);
  expect(outbox.backlog).toBe(0);
});

test('a frame sent while others wait queues behind them', async () => {
  const outbox = new FrameOutbox(2);
  const sent: string[] = [];
  for (const name of ['a', 'b', 'c']) outbox.send(() => sent.push(name));
  outbox.send(() => sent.push('d'));
  expect(sent).toEqual(['a', 'b']);
  await until(() => sent.length === 4);
  expect(sent).toEqual(['a', 'b', 'c', 'd']);
});

test('once the backlog is out, a small announcement leaves at once again', async () => {
  const outbox = new FrameOutbox(2);
  const sent: number[] = [];
  for (let i = 1; i <= 3; i++) outbox.send(() => sent.push(i));
  await until(() => sent.length === 3);
  await new Promise((resolve) => setTimeout(resolve, 5));
  outbox.send(() => sent.push(4));
  outbox.send(() => sent.push(5));
  expect(sent).toEqual([1, 2, 3, 4, 5]);
});
