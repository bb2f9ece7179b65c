// Runs asynchronous tasks one after another, in the order given. Address changes of one instance
// go through one queue so that "add" then "remove" can never reach the kernel the other way round.
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();

  /** Queues a task; its failure is reported to `onError` and does not stop the queue. */
  enqueue(task: () => Promise<void>, onError: (error: unknown) => void): Promise<void> {
    this.tail = this.tail.then(task).catch(onError);
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
