// keepalived's vrrp_garp_interval / vrrp_gna_interval (and garp_group): the least time between two
// gratuitous ARPs (or two unsolicited NAs) on an interface, or across a garp_group's interfaces,
// whatever instance sends them - for switches that cannot take a flood of them. As keepalived
// 2.2.7 does (captured in namespaces): a message goes at once if the last one left at least an
// interval ago and none waits; otherwise its address is marked pending (a repeat of a pending
// address adds nothing), and pending addresses leave one per interval in the order the
// addresses were first announced. 2 VIPs, garp_master_repeat 3, 0.2 s gave A, A, B; VIPs 100,
// 101, 102 and another instance's 110, repeat 2, gave 100, 100, 101, 102, 110.
import type { Clock, TimerHandle } from '../../core/clock.js';
import { monotonicMs } from '../monotonic.js';

/** The pacer's one-shot timers only. */
type PacerClock = Pick<Clock, 'now' | 'setTimer'>;

/** Node's timers, not keeping the process alive: a stopping vrrpd does not wait for its ARPs. */
const BACKGROUND_CLOCK: PacerClock = {
  now: monotonicMs,
  setTimer: (delayMs, callback) => {
    const timeout = setTimeout(callback, delayMs).unref();
    return { cancel: () => clearTimeout(timeout) };
  },
};

export class AnnouncePacer {
  private lastSentAt = Number.NEGATIVE_INFINITY;
  /** Addresses in the order first announced: pending ones leave in this order. */
  private readonly rank = new Map<string, number>();
  private readonly pending = new Map<string, () => void>();
  private timer: TimerHandle | undefined;

  constructor(
    readonly intervalMs: number,
    private readonly clock: PacerClock = BACKGROUND_CLOCK,
  ) {}

  /** Transmits now or when the interval allows; `key` names the address. */
  send(key: string, transmit: () => void): void {
    if (this.intervalMs <= 0) {
      transmit();
      return;
    }
    if (!this.rank.has(key)) this.rank.set(key, this.rank.size);
    if (this.pending.size === 0 && this.clock.now() - this.lastSentAt >= this.intervalMs) {
      this.lastSentAt = this.clock.now();
      transmit();
      return;
    }
    if (this.pending.has(key)) return;
    this.pending.set(key, transmit);
    this.scheduleNext();
  }

  /** Addresses waiting (for tests). */
  get backlog(): number {
    return this.pending.size;
  }

  private scheduleNext(): void {
    if (this.timer !== undefined || this.pending.size === 0) return;
    const wait = Math.max(0, this.lastSentAt + this.intervalMs - this.clock.now());
    this.timer = this.clock.setTimer(wait, () => {
      this.timer = undefined;
      // Node's timers count from the loop's time, read once per turn: one set late in a long turn
      // (a takeover on a loaded machine) fires early by as much, and a CI run saw two NAs 186 ms
      // apart at vrrp_gna_interval 0.2. Never sooner than the interval: wait the rest.
      if (this.clock.now() - this.lastSentAt < this.intervalMs) {
        this.scheduleNext();
        return;
      }
      let next: string | undefined;
      for (const key of this.pending.keys()) if (next === undefined || this.rankOf(key) < this.rankOf(next)) next = key;
      if (next === undefined) return;
      const transmit = this.pending.get(next);
      this.pending.delete(next);
      this.lastSentAt = this.clock.now();
      transmit?.();
      this.scheduleNext();
    });
  }

  private rankOf(key: string): number {
    return this.rank.get(key) ?? Number.POSITIVE_INFINITY;
  }
}
