// Pending timers in deadline order, for the clocks behind the protocol core: the simulated LAN's
// virtual clock and the daemon's real one. A binary heap ordered by (deadline, creation), so
// same-time timers run in the order they were set; a cancelled timer stays in the heap until it
// reaches the top (cancelling is O(1)), and the heap is rebuilt when most of it is cancelled.

export interface QueuedTimer<T> {
  readonly at: number;
  readonly value: T;
  readonly cancelled: boolean;
}

interface Entry<T> extends QueuedTimer<T> {
  readonly sequence: number;
  cancelled: boolean;
  queued: boolean;
}

/** Rebuilding costs O(n); below this many cancelled entries it is not worth it. */
const COMPACT_MIN_CANCELLED = 64;

export class TimerQueue<T> {
  private heap: Entry<T>[] = [];
  private sequence = 0;
  private cancelledInHeap = 0;

  /** Timers still to run. */
  get size(): number {
    return this.heap.length - this.cancelledInHeap;
  }

  add(at: number, value: T): QueuedTimer<T> {
    const entry: Entry<T> = { at, value, sequence: this.sequence++, cancelled: false, queued: true };
    this.push(entry);
    return entry;
  }

  /** A timer already taken out (it ran, or is running) is only marked. */
  cancel(timer: QueuedTimer<T>): void {
    const entry = timer as Entry<T>;
    if (entry.cancelled) return;
    entry.cancelled = true;
    if (!entry.queued) return;
    this.cancelledInHeap++;
    if (this.cancelledInHeap >= COMPACT_MIN_CANCELLED && this.cancelledInHeap * 2 > this.heap.length) this.compact();
  }

  /** The earliest deadline still to run. */
  nextAt(): number | undefined {
    this.dropCancelledTop();
    return this.heap[0]?.at;
  }

  /** Takes out the earliest timer if it is due at `time`. */
  takeDue(time: number): QueuedTimer<T> | undefined {
    this.dropCancelledTop();
    const next = this.heap[0];
    if (!next || next.at > time) return undefined;
    this.pop();
    return next;
  }

  private dropCancelledTop(): void {
    while (this.heap[0]?.cancelled) {
      this.pop();
      this.cancelledInHeap--;
    }
  }

  private compact(): void {
    for (const entry of this.heap) if (entry.cancelled) entry.queued = false;
    // A sorted array is a valid heap.
    this.heap = this.heap.filter((entry) => !entry.cancelled).sort((a, b) => (before(a, b) ? -1 : 1));
    this.cancelledInHeap = 0;
  }

  private push(entry: Entry<T>): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const top = heap[0];
    if (top) top.queued = false;
    const last = heap.pop();
    if (heap.length === 0 || !last) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) break;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
  }
}

function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.at < b.at || (a.at === b.at && a.sequence < b.sequence);
}
