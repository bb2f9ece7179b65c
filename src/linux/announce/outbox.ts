// At most so many announcement frames per millisecond window; the rest leave, in order, in the
// windows after. A Master of 1000 instances repeats its gratuitous ARPs garp_master_delay (5 s)
// after becoming Master: 1000 instances' timers come due together and their 5000 frames, sent at
// once, held the event loop 24-34 ms, so the advertisements due meanwhile left that late (the
// 1000-instance advertisement gap p99 of 1020-1040 ms; without the delayed round, 1004). Between
// two windows the loop runs its due protocol timers and reads the sockets. The wait is a Node
// timer, not a turn of the loop (setImmediate): a late protocol timer waits some turns for input
// (real-clock.ts), and turns each carrying a batch of frames would stretch that wait. A small
// announcement (a failover of a few instances: up to FRAMES_PER_WINDOW frames) still leaves at
// once, as keepalived sends it; only a larger burst is spread, over tens of milliseconds.
import { monotonicMs } from '../monotonic.js';

/** About a millisecond of frames on a 2-vCPU machine (10-20 µs each with building). */
export const FRAMES_PER_WINDOW = 64;
const WINDOW_MS = 1;

export class FrameOutbox {
  /** Frames sent in the current window, which began at windowStart. */
  private sentInWindow = 0;
  private windowStart = Number.NEGATIVE_INFINITY;
  private readonly waiting: (() => void)[] = [];
  private next = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly perWindow: number = FRAMES_PER_WINDOW) {}

  /** Sends now (`transmit` called at once) while this window's budget lasts and nothing waits; otherwise in a later window, in order. */
  send(transmit: () => void): void {
    const now = monotonicMs();
    if (now - this.windowStart >= WINDOW_MS) {
      this.windowStart = now;
      this.sentInWindow = 0;
    }
    if (this.backlog === 0 && this.sentInWindow < this.perWindow) {
      this.sentInWindow++;
      transmit();
      return;
    }
    this.waiting.push(transmit);
    // Not keeping the process alive: a stopping vrrpd does not wait for its ARPs (as the pacer's timers).
    this.timer ??= setTimeout(() => this.flush(), WINDOW_MS).unref();
  }

  /** Frames waiting (for tests). */
  get backlog(): number {
    return this.waiting.length - this.next;
  }

  private flush(): void {
    this.timer = undefined;
    this.windowStart = monotonicMs();
    const end = Math.min(this.waiting.length, this.next + this.perWindow);
    this.sentInWindow = end - this.next;
    while (this.next < end) {
      const transmit = this.waiting[this.next]!;
      this.waiting[this.next++] = noop;
      transmit();
    }
    if (this.backlog > 0) this.timer = setTimeout(() => this.flush(), WINDOW_MS).unref();
    else {
      this.waiting.length = 0;
      this.next = 0;
    }
  }
}

const noop = (): void => undefined;
