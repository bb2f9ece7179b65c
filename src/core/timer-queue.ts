// Pending timers in deadline order, for the clocks behind the protocol core: the simulated LAN's
// virtual clock and the daemon's real one. A binary heap ordered by (deadline, arming order), so
// same-time timers run in the order they were armed. Each entry knows its place in the heap, so
// cancelling removes it at once (O(log n)) and an entry can be armed again after it ran or was
// cancelled: a restartable timer (OneShotTimer: the Adver_Timer, the Master_Down_Timer) keeps
// one entry for its whole life instead of a new one per period. At 1000 instances the per-period
// entries lived about a second each, long enough to be promoted out of V8's young generation, and
// the old generation grew by ~0.5 MB/s of them between full collections (issue 16).

export interface QueuedTimer<T> {
  readonly at: number;
  readonly value: T;
}

/** Where an entry is: waiting in the heap, taken out as due (not yet run), or neither. */
type Place = 'idle' | 'queued' | 'due';

class Entry<T> implements QueuedTimer<T> {
  at = 0;
  sequence = 0;
  /** Index in the heap while queued. */
  index = -1;
  place: Place = 'idle';

  constructor(readonly value: T) {}
}

export class TimerQueue<T> {
  private readonly heap: Entry<T>[] = [];
  private sequence = 0;

  /** Timers still to run. */
  get size(): number {
    return this.heap.length;
  }

  /** An entry for `value`, not yet armed. */
  entry(value: T): QueuedTimer<T> {
    return new Entry(value);
  }

  /** A new entry, armed at `at`. */
  add(at: number, value: T): QueuedTimer<T> {
    const entry = new Entry(value);
    this.arm(entry, at);
    return entry;
  }

  /** Arms `timer` at `at`: queued again if it ran, was taken out or was cancelled; moved if it waits. */
  arm(timer: QueuedTimer<T>, at: number): void {
    const entry = timer as Entry<T>;
    entry.at = at;
    entry.sequence = this.sequence++;
    if (entry.place === 'queued') {
      // A new deadline, and the newest arming order: up or down from where it is.
      this.siftUp(entry.index);
      this.siftDown(entry.index);
      return;
    }
    entry.place = 'queued';
    entry.index = this.heap.length;
    this.heap.push(entry);
    this.siftUp(entry.index);
  }

  /** Takes `timer` out: it will not run (also when taken out as due and not yet run). */
  cancel(timer: QueuedTimer<T>): void {
    const entry = timer as Entry<T>;
    if (entry.place === 'queued') this.removeAt(entry.index);
    entry.place = 'idle';
  }

  /** Whether a timer taken out by takeDue is still to run: not cancelled nor armed again since. */
  isDue(timer: QueuedTimer<T>): boolean {
    return (timer as Entry<T>).place === 'due';
  }

  /** Marks a timer taken out by takeDue as run (it may be armed again). */
  ran(timer: QueuedTimer<T>): void {
    const entry = timer as Entry<T>;
    if (entry.place === 'due') entry.place = 'idle';
  }

  /** The earliest deadline still to run. */
  nextAt(): number | undefined {
    return this.heap[0]?.at;
  }

  /** Takes out the earliest timer if it is due at `time`. */
  takeDue(time: number): QueuedTimer<T> | undefined {
    const next = this.heap[0];
    if (!next || next.at > time) return undefined;
    this.removeAt(0);
    next.place = 'due';
    return next;
  }

  private removeAt(index: number): void {
    const heap = this.heap;
    const removed = heap[index]!;
    removed.index = -1;
    const last = heap.pop()!;
    if (last === removed) return;
    heap[index] = last;
    last.index = index;
    this.siftUp(index);
    this.siftDown(last.index);
  }

  private siftUp(index: number): void {
    const heap = this.heap;
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private swap(i: number, j: number): void {
    const heap = this.heap;
    const a = heap[i]!;
    const b = heap[j]!;
    heap[i] = b;
    heap[j] = a;
    a.index = j;
    b.index = i;
  }
}

function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.at < b.at || (a.at === b.at && a.sequence < b.sequence);
}
