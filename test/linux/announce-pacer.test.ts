// Gratuitous ARP / NA pacing (vrrp_garp_interval, garp_group) on a virtual clock, against the
// sequences keepalived 2.2.7 put on the wire in a namespace capture (see pacer.ts).
import { expect, test } from 'vitest';
import { AnnouncePacer } from '../../src/linux/announce/pacer.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';

/** Sends `rounds` rounds of the addresses (as the announcer does) and returns what left when. */
function announce(pacer: AnnouncePacer, clock: VirtualClock, sent: string[], addresses: readonly string[], rounds: number): void {
  for (let round = 0; round < rounds; round++) {
    for (const address of addresses) pacer.send(address, () => sent.push(`${clock.now()} ${address}`));
  }
}

test('without an interval every message leaves at once, round by round', () => {
  const clock = new VirtualClock();
  const pacer = new AnnouncePacer(0, clock);
  const sent: string[] = [];
  announce(pacer, clock, sent, ['A', 'B'], 3);
  expect(sent).toEqual(['0 A', '0 B', '0 A', '0 B', '0 A', '0 B']);
});

test('keepalived: 2 VIPs, repeat 3, 200 ms: A, A, B; the second burst the same', () => {
  const clock = new VirtualClock();
  const pacer = new AnnouncePacer(200, clock);
  const sent: string[] = [];
  announce(pacer, clock, sent, ['A', 'B'], 3);
  clock.advanceTo(2000);
  announce(pacer, clock, sent, ['A', 'B'], 3);
  clock.advanceTo(5000);
  expect(sent).toEqual(['0 A', '200 A', '400 B', '2000 A', '2200 A', '2400 B']);
  expect(pacer.backlog).toBe(0);
});

test('keepalived: two instances on one interface, VIPs 100-102 and 110, repeat 2: 100, 100, 101, 102, 110', () => {
  const clock = new VirtualClock();
  const pacer = new AnnouncePacer(200, clock);
  const sent: string[] = [];
  announce(pacer, clock, sent, ['100', '101', '102'], 2);
  announce(pacer, clock, sent, ['110'], 2);
  clock.advanceTo(5000);
  expect(sent).toEqual(['0 100', '200 100', '400 101', '600 102', '800 110']);
});

test('the interval counts from the last message: one after a quiet spell leaves at once, one too soon waits', () => {
  const clock = new VirtualClock();
  const pacer = new AnnouncePacer(200, clock);
  const sent: string[] = [];
  announce(pacer, clock, sent, ['A'], 1);
  clock.advanceTo(150);
  announce(pacer, clock, sent, ['B'], 1);
  clock.advanceTo(1000);
  announce(pacer, clock, sent, ['C'], 1);
  clock.advanceTo(2000);
  expect(sent).toEqual(['0 A', '200 B', '1000 C']);
});

test('a timer that fires early (Node counts from a stale loop time) sends nothing before the interval is over', () => {
  const clock = new VirtualClock();
  // As Node's timers after a long turn: each fires 14 ms before its delay is up (and never in under 1 ms).
  const early = { now: () => clock.now(), setTimer: (delayMs: number, callback: () => void) => clock.setTimer(Math.max(1, delayMs - 14), callback) };
  const pacer = new AnnouncePacer(200, early);
  const sent: string[] = [];
  announce(pacer, clock, sent, ['A', 'B'], 2);
  clock.advanceTo(2000);
  expect(sent).toEqual(['0 A', '200 A', '400 B']);
});
