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

  constructor(
    private readonly clock: Clock,
    private readonly onExpiry: () => void,
  ) {}

  /** (Re)starts the timer; a running one is cancelled first. */
  start(delayMs: number): void {
    this.cancel();
    this.deadline = this.clock.now() + delayMs;
    this.handle = this.clock.setTimer(delayMs, () => {
      this.handle = undefined;
      this.deadline = undefined;
      this.onExpiry();
    });
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
