// Pending timers in deadline order, for the clocks behind the protocol core: the simulated LAN's
// virtual clock and the daemon's real one. A binary heap ordered by (deadline, arming order), so
// same-time timers run in the order they were armed. Each entry knows its place in the heap, so
// cancelling removes it at once (O(log n)) and an entry can be armed again after it ran or was
// cancelled: a restartable timer (OneShotTimer: the Adver_Timer, the Master_Down_Timer) keeps
// one entry for its whole life instead of a new one per period. At 1000 instances the per-period
// entries lived about a second each, long enough to be promoted out of V8's young generation, and
// the old generation grew by ~0.5 MB/s of them between full collections (issue 16).
//
// An entry armed later while it waits (a Backup's Master_Down_Timer on every advertisement) does
// not move in the heap then: its place is kept by the key it had, a lower bound of its deadline,
// and it sinks to its deadline's place only when it reaches the top (nextAt, takeDue). A Backup of
// 1000 instances re-arms 1000 timers a second and each reaches the top about once per
// Master_Down_Interval; moving each at once was 7 % of its CPU samples, 2.4 % so (perf record on
// a 1000-instance Backup, tools perf-backup.sh). The order timers run in is
// the same: the top is only taken once its key is its deadline, and every other key is at most
// its own entry's deadline.

export interface QueuedTimer<T> {
  readonly at: number;
  readonly value: T;
}

/** Where an entry is: waiting in the heap, taken out as due (not yet run), or neither. */
type Place = 'idle' | 'queued' | 'due';

class Entry<T> implements QueuedTimer<T> {
  at = 0;
  sequence = 0;
  /** Its place in the heap: (key, keySequence) <= (at, sequence), equal after sinkTop. */
  key = 0;
  keySequence = 0;
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
      // Later (or the same deadline, armed last): the old key still bounds it; it sinks when on top.
      if (at >= entry.key) return;
      entry.key = at;
      entry.keySequence = entry.sequence;
      this.siftUp(entry.index);
      return;
    }
    entry.key = at;
    entry.keySequence = entry.sequence;
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
    return this.top()?.at;
  }

  /** Takes out the earliest timer if it is due at `time`. */
  takeDue(time: number): QueuedTimer<T> | undefined {
    const next = this.top();
    if (!next || next.at > time) return undefined;
    this.removeAt(0);
    next.place = 'due';
    return next;
  }

  /** The earliest timer: entries armed later since they were placed sink to their place first. */
  private top(): Entry<T> | undefined {
    const heap = this.heap;
    for (let top = heap[0]; top !== undefined; top = heap[0]) {
      if (top.key === top.at && top.keySequence === top.sequence) return top;
      top.key = top.at;
      top.keySequence = top.sequence;
      this.siftDown(0);
    }
    return undefined;
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
  return a.key < b.key || (a.key === b.key && a.keySequence < b.keySequence);
}
