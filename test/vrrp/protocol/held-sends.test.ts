// Held sends (src/vrrp/protocol/held-sends.ts): a Master whose host sends its advertisements for it
// must do exactly what it does when its own Adver_Timer sends each. Each scenario runs twice on the
// virtual clock: every advertisement sent by the router, and the sends held the way the IPv4
// socket holds them (the host tries after every advertisement the router sends, once that turn is
// done, and sends the same advertisement at the router's due time and every interval after); the
// actions, their times, the statistics and the status must match.
import { describe, expect, test } from 'vitest';
import type { TimerHandle } from '../../../src/core/clock.js';
import type { VirtualClock } from '../../../src/core/virtual-clock.js';
import { routerConfigFromSpec } from '../../../src/sim/lan.js';
import type { Advertisement } from '../../../src/vrrp/packet/advertisement.js';
import type { VirtualRouterConfig } from '../../../src/vrrp/protocol/config.js';
import type { HeldSends } from '../../../src/vrrp/protocol/held-sends.js';
import { Harness, PEER_HIGHER_ADDRESS, PEER_LOWER_ADDRESS } from './harness.js';

type Event =
  | { readonly at: number; readonly advert: number; readonly from?: string }
  | { readonly at: number; readonly priority: number }
  | { readonly at: number; readonly fault: boolean }
  | { readonly at: number; readonly status: true }
  | { readonly at: number; readonly reconfigure: Partial<VirtualRouterConfig> }
  | { readonly at: number; readonly shutdown: true };

interface Scenario {
  readonly name: string;
  readonly spec?: ConstructorParameters<typeof Harness>[0];
  readonly events: readonly Event[];
  readonly until: number;
  /** Advertisements the held run must have had sent by its host (the scenario holds something). */
  readonly heldAtLeast: number;
}

/** The host's side, as the socket does it: `advertisement` at `firstDue` and every `intervalMs` after, counted. */
class SentByHost implements HeldSends {
  private count = 0;
  private last = Number.NaN;
  private released = false;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: VirtualClock,
    private readonly intervalMs: number,
    firstDue: number,
    private readonly send: () => void,
  ) {
    this.schedule(firstDue);
  }

  private schedule(due: number): void {
    this.timer = this.clock.setTimer(due - this.clock.now(), () => {
      this.send();
      this.count++;
      this.last = due;
      const now = this.clock.now();
      const next = due + this.intervalMs;
      this.schedule(next <= now ? now + this.intervalMs : next);
    });
  }

  take(): number {
    const count = this.count;
    this.count = 0;
    return count;
  }
  lastDue(): number {
    // The socket's thread may send until release returns: a router reading this before would
    // restart its Adver_Timer from a stale due time (and undercount).
    if (!this.released) throw new Error('lastDue read before release');
    return this.last;
  }
  release(): void {
    this.released = true;
    this.timer?.cancel();
  }
}

function run(scenario: Scenario, holding: boolean): { timeline: string[]; statistics: unknown; status: unknown; sentByHost: number } {
  let sentByHost = 0;
  let tryHold = (): void => undefined;
  const h: Harness = new Harness(scenario.spec, (action) => {
    if (holding && action.type === 'send-advertisement') h.clock.setTimer(0, tryHold);
  });
  tryHold = () => {
    const router = h.router;
    if (!router.acceptsHeldSends) return;
    const advertisement: Advertisement = router.nextAdvertisement();
    router.holdSends(
      new SentByHost(h.clock, router.config.advertIntervalMs, router.advertisementDueAt, () => {
        sentByHost++;
        h.actions.push({ time: h.clock.now(), action: { type: 'send-advertisement', advertisement } });
      }),
    );
  };
  h.startAsMaster();
  const timeline: string[] = [];
  for (const event of [...scenario.events].sort((a, b) => a.at - b.at)) {
    h.clock.advanceTo(event.at);
    timeline.push(...h.take());
    if ('advert' in event) h.advertise(event.advert, { from: event.from ?? PEER_HIGHER_ADDRESS, receivedAt: event.at });
    else if ('priority' in event) h.router.setPriority(event.priority);
    else if ('fault' in event) h.router.setFault(event.fault, 'tracked');
    else if ('reconfigure' in event) h.router.reconfigure(routerConfigFromSpec({ name: 'VI_1', priority: 100, ...scenario.spec, ...event.reconfigure }));
    else if ('shutdown' in event) h.router.shutdown();
    else h.router.status();
    timeline.push(...h.take());
  }
  h.clock.advanceTo(scenario.until);
  timeline.push(...h.take());
  const { stateSinceMs: _since, ...status } = h.router.status();
  return { timeline, statistics: structuredClone(h.router.statistics), status, sentByHost };
}

// The router becomes Master at 3609.375 ms (startAsMaster: Master_Down_Interval at priority 100),
// so its advertisements are due at 3609.375 + k * 1000; no event below falls on one.
const scenarios: Scenario[] = [
  {
    name: 'steady Master, then shut down: priority 0 at once, nothing after',
    events: [{ at: 14_500, shutdown: true }],
    until: 20_000,
    heldAtLeast: 9,
  },
  {
    name: 'status read while held counts every advertisement so far',
    events: [
      { at: 6_200, status: true },
      { at: 9_900, status: true },
    ],
    until: 15_000,
    heldAtLeast: 9,
  },
  {
    name: 'a tracker lowers the priority and restores it: advertised at once, the rhythm restarts from there',
    events: [
      { at: 7_300, priority: 80 },
      { at: 11_700, priority: 100 },
    ],
    until: 18_000,
    heldAtLeast: 10,
  },
  {
    name: 'a fault and its end: priority 0, Backup, Master again after Master_Down_Interval',
    events: [
      { at: 6_400, fault: true },
      { at: 8_100, fault: false },
    ],
    until: 20_000,
    heldAtLeast: 8,
  },
  {
    name: 'a higher-priority Master appears: Backup; it goes silent: Master again',
    events: [{ at: 7_500, advert: 200 }],
    until: 20_000,
    heldAtLeast: 8,
  },
  {
    name: 'another Master resigns (priority 0): answered at once, the Adver_Timer restarted',
    events: [{ at: 6_800, advert: 0, from: PEER_LOWER_ADDRESS }],
    until: 14_000,
    heldAtLeast: 8,
  },
  {
    name: 'a lower-priority Master: answered, the rhythm kept',
    events: [
      { at: 5_100, advert: 50, from: PEER_LOWER_ADDRESS },
      { at: 8_050, advert: 50, from: PEER_LOWER_ADDRESS },
    ],
    until: 14_000,
    heldAtLeast: 7,
  },
  {
    name: 'a reload changes the interval: advertised at once, then every 2 s',
    events: [{ at: 6_900, reconfigure: { advertIntervalMs: 2000 } }],
    until: 20_000,
    heldAtLeast: 8,
  },
  {
    name: 'VRRPv2, 3 s adverts',
    spec: { version: 2, advertIntervalMs: 3000 },
    events: [{ at: 25_000, priority: 90 }],
    until: 45_000,
    heldAtLeast: 9,
  },
  {
    name: '20 ms adverts, a priority change among them',
    spec: { advertIntervalMs: 20 },
    events: [
      { at: 1_000.5, priority: 90 },
      { at: 1_500.5, status: true },
    ],
    until: 2_000,
    heldAtLeast: 90,
  },
];

describe('held sends: a Master does what it does when its Adver_Timer sends each advertisement', () => {
  test.each(scenarios)('$name', (scenario) => {
    const own = run(scenario, false);
    const held = run(scenario, true);
    expect(own.sentByHost).toBe(0);
    expect(held.sentByHost).toBeGreaterThanOrEqual(scenario.heldAtLeast);
    expect(held.timeline).toEqual(own.timeline);
    expect(held.statistics).toEqual(own.statistics);
    expect(held.status).toEqual(own.status);
    expect(own.timeline.filter((line) => line.endsWith('advertise 100') || line.endsWith('advertise 80') || line.endsWith('advertise 90')).length).toBeGreaterThan(scenario.heldAtLeast);
  });

  test('a router that may not hold: Backup, VRRPv2 and v3 copies, not started, already held', () => {
    const backup = new Harness().startAsBackup();
    expect(backup.router.acceptsHeldSends).toBe(false);
    expect(Number.isNaN(backup.router.advertisementDueAt)).toBe(true);
    const interop = new Harness({ v2Interop: true }).startAsMaster();
    expect(interop.router.acceptsHeldSends).toBe(false);
    expect(new Harness().router.acceptsHeldSends).toBe(false);
    const master = new Harness().startAsMaster();
    expect(master.router.acceptsHeldSends).toBe(true);
    const held: HeldSends = { take: () => 0, lastDue: () => Number.NaN, release: () => undefined };
    master.router.holdSends(held);
    expect(master.router.acceptsHeldSends).toBe(false);
    expect(() => master.router.holdSends(held)).toThrow(/not a Master whose advertisements may be held/);
    expect(() => backup.router.holdSends(held)).toThrow(/not a Master whose advertisements may be held/);
  });
});
