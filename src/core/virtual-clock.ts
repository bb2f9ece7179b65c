// A deterministic clock for the simulated LAN: timers fire in (time, creation) order and only
// when the test advances time, so every run of a scenario is identical to the tick.
import type { Clock, ClockTimer, TimerHandle, TimerOptions } from './clock.js';
import { TimerQueue } from './timer-queue.js';

export class VirtualClock implements Clock {
  private time = 0;
  private readonly timers = new TimerQueue<() => void>();

  now(): number {
    return this.time;
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const timer = this.timers.add(this.time + Math.max(0, delayMs), callback);
    return { cancel: () => this.timers.cancel(timer) };
  }

  createTimer(callback: () => void): ClockTimer {
    const timer = this.timers.entry(callback);
    return {
      arm: (delayMs) => this.timers.arm(timer, this.time + Math.max(0, delayMs)),
      armAt: (at) => this.timers.arm(timer, Math.max(this.time, at)),
      disarm: () => this.timers.cancel(timer),
    };
  }

  /** Runs every timer due up to `time` (inclusive), then sets the clock to `time`. */
  advanceTo(time: number): void {
    for (let next = this.timers.takeDue(time); next; next = this.timers.takeDue(time)) {
      this.time = next.at;
      this.timers.ran(next);
      next.value();
    }
    this.time = Math.max(this.time, time);
  }

  /** When the earliest pending timer is due; undefined when none is. Lets a driver step from one timer to the next. */
  nextAt(): number | undefined {
    return this.timers.nextAt();
  }

  advanceBy(deltaMs: number): void {
    this.advanceTo(this.time + deltaMs);
  }
}

/**
 * A node's view of the shared clock that can be switched off: a crashed host's timers never
 * fire, and nothing it scheduled before the crash survives a restart.
 */
export class NodeClock implements Clock {
  private generation = 0;

  constructor(private readonly clock: Clock) {}

  now(): number {
    return this.clock.now();
  }

  setTimer(delayMs: number, callback: () => void, options?: TimerOptions): TimerHandle {
    const generation = this.generation;
    return this.clock.setTimer(
      delayMs,
      () => {
        if (generation === this.generation) callback();
      },
      options,
    );
  }

  createTimer(callback: () => void, options?: TimerOptions): ClockTimer {
    let armedIn = this.generation;
    const timer = this.clock.createTimer(() => {
      if (armedIn === this.generation) callback();
    }, options);
    return {
      arm: (delayMs) => {
        armedIn = this.generation;
        timer.arm(delayMs);
      },
      armAt: (at) => {
        armedIn = this.generation;
        timer.armAt(at);
      },
      disarm: () => timer.disarm(),
    };
  }

  /** Forgets every timer set so far. */
  powerOff(): void {
    this.generation++;
  }
}
