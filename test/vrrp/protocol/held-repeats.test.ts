// Held repeats (src/vrrp/protocol/held-repeats.ts, repeat-watch.ts): a Backup whose host counts
// its Master's identical advertisements instead of delivering them must do exactly what it does
// when each is delivered. Each scenario runs twice on the virtual clock, every advertisement
// delivered, and repeats held the way the IPv4 socket holds them (same source and bytes: here the
// same priority from the same address); the actions, their times and the statistics must match.
import { describe, expect, test } from 'vitest';
import type { HeldRepeats } from '../../../src/vrrp/protocol/held-repeats.js';
import { RepeatWatch } from '../../../src/vrrp/protocol/repeat-watch.js';
import { Harness, PEER_HIGHER_ADDRESS, PEER_LOWER_ADDRESS } from './harness.js';

type Event =
  | { readonly at: number; readonly advert: number; readonly from?: string }
  | { readonly at: number; readonly priority: number }
  | { readonly at: number; readonly fault: boolean }
  | { readonly at: number; readonly status: true };

interface Scenario {
  readonly name: string;
  readonly spec?: ConstructorParameters<typeof Harness>[0];
  readonly events: readonly Event[];
  readonly until: number;
  /** Advertisements the held run must have counted rather than delivered (the scenario holds something). */
  readonly heldAtLeast: number;
}

/** The Master's advertisements every `interval` ms from `from` up to `to` (inclusive), at `priority`. */
function adverts(from: number, to: number, priority: number, interval = 1000, source = PEER_HIGHER_ADDRESS): Event[] {
  const out: Event[] = [];
  for (let at = from; at <= to; at += interval) out.push({ at, advert: priority, from: source });
  return out;
}

/** A socket holding one router's repeats: those from the same address at the same priority. */
class HeldBySocket implements HeldRepeats {
  count = 0;
  last = Number.NaN;
  active = true;
  constructor(
    readonly from: string,
    readonly priority: number,
  ) {}
  take(): number {
    const count = this.count;
    this.count = 0;
    return count;
  }
  lastArrival(): number {
    return this.last;
  }
  release(): void {
    this.active = false;
  }
}

function run(scenario: Scenario, holding: boolean): { timeline: string[]; statistics: unknown; status: unknown; held: number } {
  const h = new Harness(scenario.spec).startAsBackup();
  const watch = new RepeatWatch(h.clock);
  let socket: HeldBySocket | undefined;
  let held = 0;
  const timeline: string[] = [];
  for (const event of [...scenario.events].sort((a, b) => a.at - b.at)) {
    h.clock.advanceTo(event.at);
    timeline.push(...h.take());
    if ('advert' in event) {
      const from = event.from ?? PEER_HIGHER_ADDRESS;
      if (socket?.active && socket.from === from && socket.priority === event.advert) {
        socket.count++;
        socket.last = event.at;
        held++;
        continue;
      }
      h.advertise(event.advert, { from, receivedAt: event.at });
      if (holding) watch.hold(h.router, () => (socket = new HeldBySocket(from, event.advert)));
    } else if ('priority' in event) h.router.setPriority(event.priority);
    else if ('fault' in event) h.router.setFault(event.fault, 'tracked');
    else h.router.status();
    timeline.push(...h.take());
  }
  h.clock.advanceTo(scenario.until);
  timeline.push(...h.take());
  const { stateSinceMs: _since, ...status } = h.router.status();
  return { timeline, statistics: structuredClone(h.router.statistics), status, held };
}

const scenarios: Scenario[] = [
  {
    name: 'the Master goes silent: Master_Down_Interval after its last advertisement',
    events: adverts(0, 10_000, 200),
    until: 20_000,
    heldAtLeast: 10,
  },
  {
    name: 'status read while held counts every advertisement so far',
    events: [...adverts(0, 10_000, 200), { at: 4500, status: true }, { at: 7200, status: true }],
    until: 20_000,
    heldAtLeast: 9,
  },
  {
    name: 'the Master resigns (priority 0): Skew_Time after it',
    events: [...adverts(0, 6000, 200), { at: 6500, advert: 0 }],
    until: 10_000,
    heldAtLeast: 6,
  },
  {
    name: 'the Master lowers its priority, still above ours, then goes silent',
    events: [...adverts(0, 5000, 200), ...adverts(6000, 9000, 150)],
    until: 20_000,
    heldAtLeast: 8,
  },
  {
    name: 'our priority rises above the Master\'s (preempt): we take over at its Master_Down_Timer',
    events: [...adverts(0, 12_000, 150), { at: 5500, priority: 180 }],
    until: 20_000,
    heldAtLeast: 5,
  },
  {
    name: 'nopreempt: a lower-priority Master is followed, repeats held',
    spec: { preempt: false },
    events: adverts(0, 8000, 50),
    until: 15_000,
    heldAtLeast: 7,
  },
  {
    name: 'a fault and its end while held',
    events: [...adverts(0, 12_000, 200), { at: 3500, fault: true }, { at: 6500, fault: false }],
    until: 20_000,
    heldAtLeast: 6,
  },
  {
    name: 'another router speaks between repeats',
    events: [...adverts(0, 9000, 200), { at: 4300, advert: 120, from: PEER_LOWER_ADDRESS }],
    until: 20_000,
    heldAtLeast: 7,
  },
  {
    name: 'VRRPv2, 3 s adverts',
    spec: { version: 2, advertIntervalMs: 3000 },
    events: adverts(0, 30_000, 200, 3000),
    until: 45_000,
    heldAtLeast: 9,
  },
];

describe('held repeats: a Backup does what it does with every advertisement delivered', () => {
  test.each(scenarios)('$name', (scenario) => {
    const delivered = run(scenario, false);
    const held = run(scenario, true);
    expect(delivered.held).toBe(0);
    expect(held.held).toBeGreaterThanOrEqual(scenario.heldAtLeast);
    expect(held.timeline).toEqual(delivered.timeline);
    expect(held.statistics).toEqual(delivered.statistics);
    expect(held.status).toEqual(delivered.status);
    // Every scenario ends with the Backup taking over (the Master silent or resigned).
    expect(delivered.timeline.some((line) => line.includes('->Master'))).toBe(true);
  });

  test('a router that may not hold: Master, under preempt_delay, or with a differing address list', () => {
    const master = new Harness().startAsMaster();
    master.advertise(50);
    expect(master.router.acceptsHeldRepeats).toBe(false);
    const delayed = new Harness({ preemptDelayMs: 5000 }).startAsBackup();
    delayed.advertise(50);
    expect(delayed.router.acceptsHeldRepeats).toBe(false);
    const backup = new Harness().startAsBackup();
    backup.advertise(200);
    expect(backup.router.acceptsHeldRepeats).toBe(true);
    expect(() => master.router.holdRepeats(new HeldBySocket(PEER_HIGHER_ADDRESS, 50))).toThrow(/no advertisement whose repeats may be held/);
  });
});
