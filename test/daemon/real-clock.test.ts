// The real clock's timers fire after pending I/O of the same loop turn, so input that arrived
// while the loop was blocked can cancel a timer that came due meanwhile.
import { rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { RealClock } from '../../src/linux/real-clock.js';
import { scratchDir } from '../helpers/scratch.js';

/** Waits (in real time, up to 5 s on a loaded machine) until `done` says so. */
async function waitUntil(done: () => boolean): Promise<void> {
  const deadline = performance.now() + 5000;
  while (!done() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Holds the loop 40 ms (past the timers' deadlines), then reads ten queued packets one per loop turn; the tenth is the advertisement. */
function holdLoopThenRead(advertisement: () => void): void {
  let read = 0;
  const readOne = (): void => {
    read++;
    if (read === 10) advertisement();
    else setImmediate(readOne);
  };
  const until = performance.now() + 40;
  while (performance.now() < until) {
    // the loop is held past the deadline
  }
  setImmediate(readOne);
}

test('fires once after its delay, and not at all when cancelled', async () => {
  const clock = new RealClock();
  const fired: string[] = [];
  const start = clock.now();
  let firedAt = 0;
  clock.setTimer(20, () => {
    fired.push('kept');
    firedAt = clock.now() - start;
  });
  clock.setTimer(20, () => fired.push('cancelled')).cancel();
  await new Promise((resolve) => setTimeout(resolve, 60));
  expect(fired).toEqual(['kept']);
  expect(firedAt).toBeGreaterThanOrEqual(19);
});

test('never fires before its deadline, fractional delays included; timers run in deadline order', async () => {
  const clock = new RealClock();
  const early: number[] = [];
  const order: number[] = [];
  const delays = [7.75, 0.4, 3.2, 12.19, 1.01, 5.5];
  // Each deadline lies between now() + delay read just before and just after setTimer. The test
  // process may be held between two of them (a loaded machine held it 8 ms once, after the first:
  // 7.75 then ran first, rightly), so the order is checked against these bounds, not the delays.
  const bounds = new Map<number, { earliest: number; latest: number }>();
  const settingFrom = clock.now();
  for (const delay of delays) {
    const earliest = clock.now() + delay;
    clock.setTimer(delay, () => {
      order.push(delay);
      if (clock.now() < earliest) early.push(earliest - clock.now());
    });
    bounds.set(delay, { earliest, latest: clock.now() + delay });
  }
  const settingTook = clock.now() - settingFrom;
  await waitUntil(() => order.length === delays.length);
  expect(early).toEqual([]);
  // No timer ran after one whose deadline was surely later than its own.
  const outOfOrder = order.flatMap((delay, i) => order.slice(i + 1).filter((later) => bounds.get(delay)!.earliest > bounds.get(later)!.latest).map((later) => [delay, later]));
  expect(outOfOrder).toEqual([]);
  // All set within less than the smallest difference of two delays (0.61 ms; the usual case): they
  // ran in the order of their delays.
  if (settingTook < 0.6) expect(order).toEqual([...delays].sort((a, b) => a - b));
});

test('a timer that fired late and waits for queued input still runs before a later one that is on time', async () => {
  const clock = new RealClock();
  const order: string[] = [];
  clock.setTimer(1, () => order.push('late'));
  clock.setTimer(12, () => order.push('on time'));
  // Held until the first timer is well past its deadline, the second not yet due.
  const until = performance.now() + 9;
  while (performance.now() < until) {
    // blocked
  }
  // Then 100 queued packets, one per loop turn, 0.2 ms of work each: the late timer's wait for
  // them outlasts the second timer's deadline.
  let packets = 100;
  const readOne = (): void => {
    const done = performance.now() + 0.2;
    while (performance.now() < done) {
      // handling the packet
    }
    if (--packets > 0) setImmediate(readOne);
  };
  setImmediate(readOne);
  await waitUntil(() => order.length === 2);
  expect(order).toEqual(['late', 'on time']);
});

test('input that arrived while the event loop was blocked is handled before a timer that came due meanwhile', async () => {
  const dir = scratchDir('clock');
  const path = join(dir, 'sock');
  const clock = new RealClock();
  const events: string[] = [];
  let timer: ReturnType<RealClock['setTimer']> | undefined;
  const server = createServer((socket) => {
    socket.on('data', () => {
      // An advertisement: resets (here, cancels) the Master_Down_Timer.
      events.push('input');
      timer?.cancel();
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const client = connect(path);
  await new Promise<void>((resolve) => client.once('connect', resolve));
  // Let the server accept the connection before the blocked stretch.
  await new Promise((resolve) => setTimeout(resolve, 20));
  timer = clock.setTimer(10, () => events.push('timer'));
  client.write('advertisement');
  // The loop is held past the deadline while the data waits in the socket.
  const until = performance.now() + 50;
  while (performance.now() < until) {
    // blocked
  }
  await new Promise((resolve) => setTimeout(resolve, 30));
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
  expect(events).toEqual(['input']);
});

test('a late timer waits while input queued during the stall is read one item per loop turn', async () => {
  const clock = new RealClock();
  const events: string[] = [];
  const timer = clock.setTimer(10, () => events.push('timer'));
  // Packets that waited in a socket read one per loop turn (as raw-socket does): the tenth is
  // the Master's advertisement, which resets (here, cancels) the timer.
  holdLoopThenRead(() => {
    events.push('advertisement');
    timer.cancel();
  });
  await new Promise((resolve) => setTimeout(resolve, 40));
  expect(events).toEqual(['advertisement']);
});

test('a late timer independent of packets runs at the next turn, unless a timer that orders against packets is due with it', async () => {
  // Alone: a tracker's tick, late, does not wait the turns a Backup's timer waits for queued input.
  const clock = new RealClock();
  const events: string[] = [];
  clock.setTimer(10, () => events.push('tick'), { independentOfPackets: true });
  let turns = 0;
  const count = (): void => {
    turns++;
    if (!events.includes('tick') && turns < 100) setImmediate(count);
  };
  const until = performance.now() + 40;
  while (performance.now() < until) {
    // the loop is held past the deadline
  }
  setImmediate(count);
  await waitUntil(() => events.includes('tick'));
  expect(events).toEqual(['tick']);
  expect(turns).toBeLessThanOrEqual(2);

  // With a protocol timer due beside it, both wait, in deadline order, and the queued input is read first.
  const withProtocol: string[] = [];
  clock.setTimer(10, () => withProtocol.push('tick'), { independentOfPackets: true });
  const masterDown = clock.setTimer(11, () => withProtocol.push('master-down'));
  holdLoopThenRead(() => {
    withProtocol.push('advertisement');
    masterDown.cancel();
  });
  await waitUntil(() => withProtocol.includes('tick'));
  expect(withProtocol).toEqual(['advertisement', 'tick']);
});

/**
 * One due timer, set from a check-phase callback and waited past its deadline there: the loop's
 * next poll phase reads its wake-up, then its check phase runs what the callback queued. Whether
 * the timer ran in the wake-up shows in the order; `lateExpiryTurns: 1` keeps a loaded machine's
 * lateness out of it.
 */
async function wakeUpOrder(packetsWaiting: boolean, options?: { readonly independentOfPackets: true }): Promise<{ order: string[]; asked: number }> {
  let asked = 0;
  const clock = new RealClock({
    lateExpiryTurns: 1,
    packetsWaiting: () => {
      asked++;
      return packetsWaiting;
    },
  });
  const order: string[] = [];
  setImmediate(() => {
    const deadline = clock.now() + 1;
    clock.setTimer(1, () => order.push('timer'), options);
    while (clock.now() <= deadline) {
      // past the deadline
    }
    setImmediate(() => order.push('check phase'));
  });
  await waitUntil(() => order.length === 2);
  return { order, asked };
}

test('on time, a timer that orders against packets runs in its wake-up when no packet waits, and after the poll phase when one does', async () => {
  expect(await wakeUpOrder(false)).toEqual({ order: ['timer', 'check phase'], asked: 1 });
  expect(await wakeUpOrder(true)).toEqual({ order: ['check phase', 'timer'], asked: 1 });
  // A timer independent of packets waits for the check phase, and the sockets are not asked.
  expect(await wakeUpOrder(false, { independentOfPackets: true })).toEqual({ order: ['check phase', 'timer'], asked: 0 });
});
