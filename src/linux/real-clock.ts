// The daemon's Clock, on a monotonic time scale (CLOCK_MONOTONIC), so wall-clock steps (NTP, an
// operator's `date -s`) never fire or delay a protocol timer. The timers wait in one queue and a
// timerfd (the native MonotonicTimer) wakes the loop for the earliest. Node's own timers count
// whole milliseconds from a loop time read once per turn: restarted on packets every 20 ms, a
// 12.19 ms timer (a Skew_Time) fired early 1392 times in 2000, by up to 1.08 ms, and a
// Master_Down_Timer that fires early can take over from a Master whose advertisement is merely on
// its way. The timerfd never fired early, median 0.07 ms late (`npm run bench -- --only timers`).
import type { Clock, ClockTimer, TimerHandle, TimerOptions } from '../core/clock.js';
import { TimerQueue, type QueuedTimer } from '../core/timer-queue.js';
import { monotonicMs } from './monotonic.js';
import { nativeShims, type NativeMonotonicTimer } from './native.js';

/** A timer that fires this much after its deadline means the event loop was held up. */
const LATE_MS = 5;
/**
 * Loop turns a late expiry waits, so that input queued while the loop was held is read first: the
 * VRRP sockets read up to 256 packets per turn (native-shims/vrrp4_socket.cc; raw-socket, before,
 * one), Node's streams a chunk per turn; an idle turn costs microseconds.
 */
const LATE_EXPIRY_TURNS = 64;

/**
 * VRRPD_TIMER_HOP=1: every timer that orders against packets waits a loop turn after its wake-up,
 * as before the sockets could be asked (for A/B measurements).
 */
const ALWAYS_HOP = process.env.VRRPD_TIMER_HOP === '1';

/** A queued timer's callback, whether it may run in the wake-up itself and whether it orders against packets (TimerOptions). */
interface Callback {
  readonly run: () => void;
  readonly beforePackets: boolean;
  readonly independentOfPackets: boolean;
}

function callbackOf(run: () => void, options: TimerOptions | undefined): Callback {
  return { run, beforePackets: options?.beforePackets === true, independentOfPackets: options?.independentOfPackets === true };
}

/**
 * RealClock's `packetsWaiting` for the daemon's main loop: its VRRP sockets (and BFD's, when read on
 * that loop) asked in one poll(2) (native-shims/monotonic_timer.cc). A shim built before it cannot
 * tell, and every such timer waits for the check phase as before.
 */
export function packetsWaitingOnLoop(): boolean {
  return nativeShims().packetsWaiting?.() ?? true;
}

export class RealClock implements Clock {
  /**
   * `lateExpiryTurns`: the loop turns a late expiry waits (default 64, chosen when the IPv4 VRRP
   * socket, raw-socket, read one packet per turn). The BFD worker's sockets read every waiting
   * datagram at each wake-up (native-shims/bfd_socket.cc), so there a late timer waits one turn only.
   * `packetsWaiting`: whether a socket whose packets the timers order against (the loop's VRRP
   * sockets, packetsWaitingOnLoop) holds one unread; false lets an on-time wake-up run those timers
   * itself (see onWakeUp). Without it they always wait for the check phase.
   */
  constructor(private readonly options: { readonly lateExpiryTurns?: number; readonly packetsWaiting?: () => boolean } = {}) {}

  private readonly timers = new TimerQueue<Callback>();
  /** The deadline the wake-up is armed for. */
  private armedAt: number | undefined;
  private wakeUp: NativeMonotonicTimer | undefined;
  /** Timers that came due, in deadline order, waiting for their loop turn. */
  private readonly due: QueuedTimer<Callback>[] = [];
  /** Loop turns still to wait before the due timers run. */
  private turnsLeft = 0;
  private turn: NodeJS.Immediate | undefined;

  now(): number {
    return monotonicMs();
  }

  /**
   * Due timers run in a check phase (setImmediate), after the poll phase of their loop turn has
   * read what waits in the sockets. When a timer fires late (the loop was held: a long GC, a slow
   * call), the due timers wait more turns, so the packets that queued up meanwhile - up to 256
   * read per turn - are processed first. An advertisement that reached a Backup's socket in time thus
   * resets its Master_Down_Timer (RFC 5798 §6.4.2) instead of the Backup taking over from a live
   * Master; the stability benchmark measured the difference (bench/RESULTS.md). All due timers
   * wait together, so they still run in deadline order. Timers made with `beforePackets` (a
   * Master's Adver_Timer) run in the wake-up itself when it is on time (see onWakeUp).
   */
  setTimer(delayMs: number, callback: () => void, options?: TimerOptions): TimerHandle {
    const timer = new RealClockTimer(this, this.timers.entry(callbackOf(callback, options)));
    timer.arm(delayMs);
    return { cancel: () => timer.disarm() };
  }

  createTimer(callback: () => void, options?: TimerOptions): ClockTimer {
    return new RealClockTimer(this, this.timers.entry(callbackOf(callback, options)));
  }

  /** RealClockTimer.arm. */
  armTimer(timer: QueuedTimer<Callback>, delayMs: number): void {
    this.armTimerAt(timer, this.now() + Math.max(0, delayMs));
  }

  /** RealClockTimer.armAt: a deadline already passed is due at the next wake-up (armed 1 ns ahead). */
  armTimerAt(timer: QueuedTimer<Callback>, at: number): void {
    this.timers.arm(timer, at);
    if (this.armedAt === undefined || at < this.armedAt) this.arm(at);
  }

  /** RealClockTimer.disarm. */
  cancelTimer(timer: QueuedTimer<Callback>): void {
    this.timers.cancel(timer);
    // Nothing left to wait for: let the process exit as it could with no Node timer pending.
    if (this.timers.size === 0 && this.armedAt !== undefined) {
      this.armedAt = undefined;
      this.wakeUp?.disarm();
    }
  }

  private arm(at: number): void {
    this.armedAt = at;
    this.wakeUp ??= new (nativeShims().MonotonicTimer)(() => this.onWakeUp());
    this.wakeUp.arm(at - this.now());
  }

  /**
   * On time (no due timer late, none still waiting for its turn), the due timers made with
   * `beforePackets` run here, in deadline order, and only the others wait for the check phase: a
   * Master of 1000 instances wakes a few hundred times a second for its Adver_Timers, and each
   * wake-up entered JavaScript twice (this callback, then the setImmediate's turn) where once
   * does (issue 16). Late, every due timer waits its turns as before, so the Master reads first
   * what queued up while the loop was held.
   *
   * On time, the timers that order against packets (a Backup's Master_Down_Timer) run here too
   * when `packetsWaiting` says no socket holds an unread packet: asked after their deadline, it
   * proves that every advertisement that reached a socket before it has been read and has reset
   * its timer already (RFC 5798 §6.4.2), which is all the check phase's turn was waiting for. That
   * turn cost a Backup's takeover 60-110 us between its timer's wake-up and its advertisement on a
   * 2-core machine (in-process marks, issue 16). A packet waiting sends them to the check phase,
   * after the poll phase has read it, as before.
   */
  private onWakeUp(): void {
    this.armedAt = undefined;
    const now = this.now();
    const waiting = this.due.length > 0;
    let late = false;
    let ordered = false;
    let early = 0;
    let afterPackets = 0;
    for (let due = this.timers.takeDue(now); due; due = this.timers.takeDue(now)) {
      this.due.push(due);
      if (due.value.beforePackets) early++;
      else if (!due.value.independentOfPackets) afterPackets++;
      if (now - due.at > LATE_MS) late = true;
      if (!due.value.independentOfPackets) ordered = true;
    }
    // Any late timer says the loop was held; the turns are waited only for timers that order
    // against packets (TimerOptions.independentOfPackets).
    const turns = late && ordered ? (this.options.lateExpiryTurns ?? LATE_EXPIRY_TURNS) : 1;
    // The wake-up must be armed again or disarmed before returning (it is level-triggered); armed
    // before the timers run, their re-arming for later needs no system call.
    const next = this.timers.nextAt();
    if (next !== undefined) this.arm(next);
    else this.wakeUp?.disarm();
    if (turns === 1 && !waiting) {
      const noneUnread = afterPackets > 0 && !ALWAYS_HOP && this.options.packetsWaiting?.() === false;
      if (early > 0 || noneUnread) {
        this.runDue(noneUnread ? 'ordered' : 'before-packets');
        if (this.due.length === 0) return;
      }
    }
    this.turnsLeft = Math.max(this.turnsLeft, turns);
    this.turn ??= setImmediate(() => this.onTurn());
  }

  private onTurn(): void {
    this.turn = undefined;
    if (--this.turnsLeft > 0) {
      this.turn = setImmediate(() => this.onTurn());
      return;
    }
    this.runDue('all');
  }

  /**
   * Runs the due timers: `all`, or in the wake-up those made with `beforePackets` alone, or every
   * one but those `independentOfPackets` (`ordered`: no packet waits); the rest stay, in order. A
   * timer taken out later has a later deadline than every one already waiting (it was not due when
   * they were taken), so the list is in deadline order. One at a time, by index: a callback may arm
   * or cancel any timer, this one included (a cancelled or re-armed one is no longer due and is
   * skipped).
   */
  private runDue(which: 'all' | 'before-packets' | 'ordered'): void {
    const due = this.due;
    let kept = 0;
    for (let i = 0; i < due.length; i++) {
      const timer = due[i]!;
      if (!this.timers.isDue(timer)) continue;
      if (which === 'before-packets' ? !timer.value.beforePackets : which === 'ordered' && timer.value.independentOfPackets) {
        due[kept++] = timer;
        continue;
      }
      this.timers.ran(timer);
      timer.value.run();
    }
    due.length = kept;
  }
}

/** A restartable timer without a closure per arming (one per protocol timer, OneShotTimer). */
class RealClockTimer implements ClockTimer {
  constructor(
    private readonly clock: RealClock,
    private readonly timer: QueuedTimer<Callback>,
  ) {}

  arm(delayMs: number): void {
    this.clock.armTimer(this.timer, delayMs);
  }

  armAt(at: number): void {
    this.clock.armTimerAt(this.timer, at);
  }

  disarm(): void {
    this.clock.cancelTimer(this.timer);
  }
}
