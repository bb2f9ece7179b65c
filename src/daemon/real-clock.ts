// The daemon's Clock: Node's timers on a monotonic time scale (performance.now), so wall-clock
// steps (NTP, an operator's `date -s`) never fire or delay a protocol timer.
import { performance } from 'node:perf_hooks';
import type { Clock, TimerHandle } from '../protocol/clock.js';

export class RealClock implements Clock {
  now(): number {
    return performance.now();
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(timer) };
  }
}
