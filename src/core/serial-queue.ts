// Runs asynchronous tasks one after another, in the order given. Address changes of one instance
// go through one queue so that "add" then "remove" can never reach the kernel the other way round.
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  /** Tasks queued and not yet settled. */
  private pending = 0;

  /** Nothing queued or running: a change made now, in this call, keeps the order of the changes. */
  get idle(): boolean {
    return this.pending === 0;
  }

  /** Queues a task; its failure is reported to `onError` and does not stop the queue. */
  enqueue(task: () => Promise<void>, onError: (error: unknown) => void): Promise<void> {
    this.pending += 1;
    this.tail = this.tail
      .then(task)
      .catch(onError)
      .then(() => {
        this.pending -= 1;
      });
    return this.tail;
  }

  /** Resolves when everything queued so far has run, and what those tasks queued in turn. */
  async drain(): Promise<void> {
    for (let tail = this.tail; ; tail = this.tail) {
      await tail;
      if (tail === this.tail) return;
    }
  }
}
