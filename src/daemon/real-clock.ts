// The daemon's Clock: Node's timers on a monotonic time scale (performance.now), so wall-clock
// steps (NTP, an operator's `date -s`) never fire or delay a protocol timer.
import { performance } from 'node:perf_hooks';
import type { Clock, TimerHandle } from '../protocol/clock.js';

export class RealClock implements Clock {
  now(): number {
    return performance.now();
  }

  /**
   * An expiry runs in the check phase (setImmediate) of the loop turn whose timers phase found it
   * due, i.e. after that turn's poll phase has read the packets waiting in the sockets. When the
   * event loop was held up (a long GC, a slow call) past a Backup's Master_Down_Timer, an
   * advertisement that reached the socket in time is thus processed first and cancels the timer,
   * instead of the Backup taking over from a live Master (RFC 5798 §6.4.2: the timer is reset by
   * every advertisement received). The stability benchmark measured the difference; the cost is
   * the rest of one loop turn.
   */
  setTimer(delayMs: number, callback: () => void): TimerHandle {
    let cancelled = false;
    let immediate: NodeJS.Immediate | undefined;
    const timer = setTimeout(() => {
      immediate = setImmediate(() => {
        if (!cancelled) callback();
      });
    }, Math.max(0, delayMs));
    return {
      cancel: () => {
        cancelled = true;
        clearTimeout(timer);
        if (immediate) clearImmediate(immediate);
      },
    };
  }
}
