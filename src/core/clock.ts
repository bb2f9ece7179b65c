// Time is injected into the protocol core so that the same state machines run against the
// real event loop in the daemon and against a virtual clock in the simulated LAN.

export interface TimerHandle {
  cancel(): void;
}

/** A timer armed again and again for the same callback, without a new object each time. */
export interface ClockTimer {
  /** Calls the callback once, `delayMs` from now; armed already, the earlier arming is replaced. */
  arm(delayMs: number): void;
  /**
   * As arm, at `at` on the clock's scale: for a deadline the caller derived from a time it has
   * already read (a Backup's Master_Down_Timer from the advertisement's receipt), without reading
   * the clock again. A deadline already passed runs at the clock's next turn.
   */
  armAt(at: number): void;
  /** Not called until armed again. */
  disarm(): void;
}

export interface Clock {
  /** Milliseconds on a monotonic scale; only differences matter. */
  now(): number;
  /** Calls `callback` once, `delayMs` from now (fractions of a millisecond allowed). */
  setTimer(delayMs: number, callback: () => void, options?: TimerOptions): TimerHandle;
  /** A restartable timer for `callback` (OneShotTimer's: one per protocol timer, for its whole life). */
  createTimer(callback: () => void, options?: TimerOptions): ClockTimer;
}

export interface TimerOptions {
  /**
   * The timer may run as soon as the clock wakes for it, before the packets waiting in the
   * sockets are read in that turn of the loop (RealClock; other timers run after them). For a
   * Master's Adver_Timer: the protocol does not order an advertisement sent at its timer against
   * one received in the same instant, and keepalived's scheduler runs expired timers and ready
   * input from one list per wake-up. Never for a Backup's Master_Down_Timer, which an
   * advertisement already in the socket must still be able to reset (RFC 5798 §6.4.2).
   */
  readonly beforePackets?: boolean;
  /**
   * The callback orders nothing against the protocol's packets (a tracker's interval, a check's
   * timeout, whose own socket is read in the same poll phase as the timer's wake-up): due late
   * with no other timer, it runs at the next check phase instead of waiting RealClock's
   * late-expiry turns, which are there so that a Backup reads the advertisements queued while the
   * loop was held before its Master_Down_Timer runs. Each of those 64 turns enters JavaScript
   * (1.7 ms for the 64, a bare node process on this project's 2-core machine), and a tracker
   * ticking every 100 ms on a loaded machine (load 8) was late 1-1.4 times a second (bench/RESULTS.md,
   * "eleventh sitting"). Due with a timer that does order against packets, it waits with it.
   */
  readonly independentOfPackets?: boolean;
}

/** For the timers of checks and trackers, one object for all (TimerOptions.independentOfPackets). */
export const INDEPENDENT_OF_PACKETS: TimerOptions = { independentOfPackets: true };

/** A named, restartable one-shot timer: the RFC's Adver_Timer, Master_Down_Timer, etc. */
export class OneShotTimer {
  /** Armed: the clock will call `expire`. */
  private armed = false;
  /**
   * While armed, when it expires. Numbers only, NaN for none: a field that also holds undefined
   * keeps each number in a new heap object, one per start (a Backup of 1000 instances starts 1000
   * Master_Down_Timers a second, and each object lived ~1 s, into V8's old generation).
   */
  private deadline = Number.NaN;
  /** The deadline of the last expiry, while its callback runs (for startAfterExpiry); NaN otherwise. */
  private expiredAt = Number.NaN;
  /**
   * The clock's timer, made at the first start and armed for each wait after: no allocation per
   * (re)start. Not before: a router has five timers and most routers never start some of them (a
   * Backup its Adver_Timer and garp_master_delay's, vrrp_startup_delay's and garp_master_refresh's
   * when unset); made in the constructor, the clock's timer and its callback cost ~210 bytes each,
   * 0.4-0.6 MB at 1000 instances (heap snapshot; issue 16's memory goal).
   */
  private timer: ClockTimer | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly onExpiry: () => void,
    private readonly options?: TimerOptions,
  ) {}

  /** One callback for every start: a timer restarted 1000 times a second allocates no closure for it. */
  private clockTimer(): ClockTimer {
    return (this.timer ??= this.clock.createTimer(() => this.expire(), this.options));
  }

  private expire(): void {
    this.expiredAt = this.deadline;
    this.armed = false;
    this.deadline = Number.NaN;
    try {
      this.onExpiry();
    } finally {
      this.expiredAt = Number.NaN;
    }
  }

  /**
   * (Re)starts the timer. Pushed later while running (a Backup's Master_Down_Timer on every
   * advertisement, RFC 5798 §6.4.2), the clock moves its entry (RealClock: a heap sift, no system
   * call: its wake-up is re-armed only for an earlier deadline). Waking at the old deadline to
   * wait the rest instead gave a Backup of 1000 instances ~90 wake-ups a second (each instance's
   * stale deadline once per Master_Down_Interval), each a timerfd re-arm, a call into JS and a
   * check-phase turn: 2.0-2.3 % of a core against 1.5-1.7 % without (issue 16).
   */
  start(delayMs: number): void {
    const now = this.clock.now();
    this.deadline = now + delayMs;
    this.armed = true;
    // From the same read (one clock read per start, not two: see startAt).
    this.clockTimer().armAt(now + Math.max(0, delayMs));
  }

  /**
   * (Re)starts the timer to expire at `deadline` on the clock's scale, a time the caller derived
   * from one it already read: a Backup of 1000 instances restarts 1000 Master_Down_Timers a second
   * from the advertisements' receipt, and each clock read cost a few hundred ns when it was
   * performance.now() (Node's receiver check), start() and the clock's arming two of them (issue 16).
   */
  startAt(deadline: number): void {
    this.deadline = deadline;
    this.armed = true;
    this.clockTimer().armAt(deadline);
  }

  /**
   * From its own expiry: restarts `delayMs` after the deadline it expired at rather than after
   * now, so a timer run late (a loop busy with 1000 instances' timers, a machine under load) does
   * not stretch the period by its lateness every time. When that instant has already passed (run
   * later than a whole period), `delayMs` from now: never a burst to catch up. Anywhere else, start().
   */
  startAfterExpiry(delayMs: number): void {
    const expiredAt = this.expiredAt;
    if (Number.isNaN(expiredAt)) {
      this.start(delayMs);
      return;
    }
    const now = this.clock.now();
    const target = expiredAt + delayMs;
    const delay = target > now ? target - now : delayMs;
    this.deadline = now + delay;
    this.armed = true;
    this.clockTimer().armAt(this.deadline);
  }

  cancel(): void {
    if (this.armed) this.timer?.disarm();
    this.armed = false;
    this.deadline = Number.NaN;
  }

  get running(): boolean {
    return this.armed;
  }

  /** When it expires, on the clock's scale; NaN when stopped. */
  get expiresAt(): number {
    return this.deadline;
  }

  /** Milliseconds until expiry, for status output; undefined when stopped. */
  remainingMs(): number | undefined {
    return this.armed ? Math.max(0, this.deadline - this.clock.now()) : undefined;
  }
}
