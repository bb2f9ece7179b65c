// Time is injected into the protocol core so that the same state machines run against the
// real event loop in the daemon and against a virtual clock in the simulated LAN.

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds on a monotonic scale; only differences matter. */
  now(): number;
  /** Calls `callback` once, `delayMs` from now (fractions of a millisecond allowed). */
  setTimer(delayMs: number, callback: () => void): TimerHandle;
}

/** A named, restartable one-shot timer: the RFC's Adver_Timer, Master_Down_Timer, etc. */
export class OneShotTimer {
  private handle: TimerHandle | undefined;
  private deadline: number | undefined;
  /** The deadline of the last expiry, while its callback runs (for startAfterExpiry). */
  private expiredAt: number | undefined;
  /** One callback for every start: a timer restarted 1000 times a second allocates no closure for it. */
  private readonly expire = (): void => {
    this.expiredAt = this.deadline;
    this.handle = undefined;
    this.deadline = undefined;
    try {
      this.onExpiry();
    } finally {
      this.expiredAt = undefined;
    }
  };

  constructor(
    private readonly clock: Clock,
    private readonly onExpiry: () => void,
  ) {}

  /** (Re)starts the timer; a running one is cancelled first. */
  start(delayMs: number): void {
    this.cancel();
    const now = this.clock.now();
    this.deadline = now + delayMs;
    this.handle = this.clock.setTimer(delayMs, this.expire);
  }

  /**
   * From its own expiry: restarts `delayMs` after the deadline it expired at rather than after
   * now, so a timer run late (a loop busy with 1000 instances' timers, a machine under load) does
   * not stretch the period by its lateness every time. When that instant has already passed (run
   * later than a whole period), `delayMs` from now: never a burst to catch up. Anywhere else, start().
   */
  startAfterExpiry(delayMs: number): void {
    const expiredAt = this.expiredAt;
    if (expiredAt === undefined) {
      this.start(delayMs);
      return;
    }
    this.cancel();
    const now = this.clock.now();
    const target = expiredAt + delayMs;
    const delay = target > now ? target - now : delayMs;
    this.deadline = now + delay;
    this.handle = this.clock.setTimer(delay, this.expire);
  }

  cancel(): void {
    this.handle?.cancel();
    this.handle = undefined;
    this.deadline = undefined;
  }

  get running(): boolean {
    return this.handle !== undefined;
  }

  /** Milliseconds until expiry, for status output; undefined when stopped. */
  remainingMs(): number | undefined {
    return this.deadline === undefined ? undefined : Math.max(0, this.deadline - this.clock.now());
  }
}
