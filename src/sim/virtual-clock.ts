// A deterministic clock for the simulated LAN: timers fire in (time, creation) order and only
// when the test advances time, so every run of a scenario is identical to the tick.
import type { Clock, TimerHandle } from '../protocol/clock.js';

interface PendingTimer {
  readonly at: number;
  readonly sequence: number;
  readonly callback: () => void;
  cancelled: boolean;
}

export class VirtualClock implements Clock {
  private time = 0;
  private sequence = 0;
  private readonly heap: PendingTimer[] = [];

  now(): number {
    return this.time;
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const timer: PendingTimer = { at: this.time + Math.max(0, delayMs), sequence: this.sequence++, callback, cancelled: false };
    this.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Runs every timer due up to `time` (inclusive), then sets the clock to `time`. */
  advanceTo(time: number): void {
    for (;;) {
      const next = this.heap[0];
      if (!next || next.at > time) break;
      this.pop();
      if (next.cancelled) continue;
      this.time = next.at;
      next.callback();
    }
    this.time = Math.max(this.time, time);
  }

  advanceBy(deltaMs: number): void {
    this.advanceTo(this.time + deltaMs);
  }

  // A binary heap ordered by (at, sequence): same-time timers run in the order they were set.
  private before(a: PendingTimer, b: PendingTimer): boolean {
    return a.at < b.at || (a.at === b.at && a.sequence < b.sequence);
  }

  private push(timer: PendingTimer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (heap.length === 0 || !last) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && this.before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && this.before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) break;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
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

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const generation = this.generation;
    return this.clock.setTimer(delayMs, () => {
      if (generation === this.generation) callback();
    });
  }

  /** Forgets every timer set so far. */
  powerOff(): void {
    this.generation++;
  }
}
