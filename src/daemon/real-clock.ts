// The daemon's Clock: Node's timers on a monotonic time scale (performance.now), so wall-clock
// steps (NTP, an operator's `date -s`) never fire or delay a protocol timer.
import { performance } from 'node:perf_hooks';
import type { Clock, TimerHandle } from '../protocol/clock.js';

/** A timer that fires this much after its deadline means the event loop was held up. */
const LATE_MS = 5;
/**
 * Loop turns a late expiry waits. The VRRP socket (raw-socket) reads one packet per loop turn, so
 * packets queued while the loop was held take one turn each; an idle turn costs microseconds.
 */
const LATE_EXPIRY_TURNS = 64;

export class RealClock implements Clock {
  now(): number {
    return performance.now();
  }

  /**
   * An expiry runs in a check phase (setImmediate), after the poll phase of its loop turn has read
   * what waits in the sockets. When the timer fires late (the loop was held: a long GC, a slow
   * call), it waits more turns, so the packets that queued up meanwhile - one read per turn - are
   * processed first. An advertisement that reached a Backup's socket in time thus resets its
   * Master_Down_Timer (RFC 5798 §6.4.2) instead of the Backup taking over from a live Master; the
   * stability benchmark measured the difference (bench/RESULTS.md).
   */
  setTimer(delayMs: number, callback: () => void): TimerHandle {
    let cancelled = false;
    let immediate: NodeJS.Immediate | undefined;
    const deadline = performance.now() + Math.max(0, delayMs);
    const expire = (turnsLeft: number): void => {
      if (cancelled) return;
      if (turnsLeft > 0) immediate = setImmediate(() => expire(turnsLeft - 1));
      else callback();
    };
    const timer = setTimeout(() => expire(performance.now() - deadline > LATE_MS ? LATE_EXPIRY_TURNS : 1), Math.max(0, delayMs));
    return {
      cancel: () => {
        cancelled = true;
        clearTimeout(timer);
        if (immediate) clearImmediate(immediate);
      },
    };
  }
}
