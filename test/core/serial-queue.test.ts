import { expect, test } from 'vitest';
import { SerialQueue } from '../../src/core/serial-queue.js';

test('tasks run one after another in the order queued; a failure goes to its own handler and the queue goes on', async () => {
  const queue = new SerialQueue();
  const ran: string[] = [];
  const errors: string[] = [];
  let release!: () => void;
  void queue.enqueue(() => new Promise<void>((resolve) => (release = () => (ran.push('first'), resolve()))), () => undefined);
  void queue.enqueue(async () => void ran.push('second'), () => undefined);
  void queue.enqueue(async () => Promise.reject(new Error('third failed')), (error) => errors.push((error as Error).message));
  void queue.enqueue(async () => void ran.push('fourth'), () => undefined);
  await new Promise((resolve) => setImmediate(resolve));
  expect(ran).toEqual([]);
  release();
  await queue.drain();
  expect(ran).toEqual(['first', 'second', 'fourth']);
  expect(errors).toEqual(['third failed']);
});

test('drain waits for what the queued tasks queue in turn (HostActions logs an address change behind the announcement queued after it)', async () => {
  const queue = new SerialQueue();
  const ran: string[] = [];
  void queue.enqueue(async () => {
    ran.push('add');
    void queue.enqueue(async () => void ran.push('log the add'), () => undefined);
  }, () => undefined);
  void queue.enqueue(async () => void ran.push('announce'), () => undefined);
  await queue.drain();
  expect(ran).toEqual(['add', 'announce', 'log the add']);
});
