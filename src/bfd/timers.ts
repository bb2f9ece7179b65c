// Where a session's periodic transmission (RFC 5880 §6.8.7) and Detection Time (§6.8.4) keep
// time. The session decides when each starts and stops, at what interval, and what the periodic
// packet carries; the timers only keep time and send that packet. On the injected clock here (the
// simulation's virtual time, the in-thread runtime); in the daemon on a native thread
// (src/linux/bfd/native-timers.ts), so that no JavaScript loop delays a packet or a Detection Time.
import { OneShotTimer, type Clock } from '../core/clock.js';
import type { ControlPacket } from './packet.js';

export interface SessionTimers {
  /** What each periodic packet carries from now on. */
  periodicPacket(packet: ControlPacket): void;
  /**
   * Periodic transmission at `interval` (µs) less the jitter of §6.8.7. `restart`: the next
   * packet is one jittered interval from now; otherwise the packet already scheduled keeps its
   * time and the interval applies from the next one.
   */
  startPeriodic(interval: number, detectMult: number, restart: boolean): void;
  stopPeriodic(): void;
  /** (Re)starts the Detection Time (µs); the session hears of its expiry through TimerHooks.expired. */
  startDetection(time: number): void;
  stopDetection(): void;
  /** Periodic packets sent, and received packets the timers took in themselves (they only restarted the Detection Time). */
  counters(): { readonly sent: number; readonly received: number };
  /** Stops both for good. */
  close(): void;
}

export interface TimerHooks {
  /** A periodic packet to send (timers that do not send it themselves). */
  send(packet: ControlPacket): void;
  /** The Detection Time passed. */
  expired(): void;
}

/** Makes a session's timers; `localDiscr` names the session. */
export type SessionTimersFactory = (localDiscr: number, hooks: TimerHooks) => SessionTimers;

/**
 * §6.8.7: each interval is reduced by a random 0-25%; with bfd.DetectMult 1 it lies between 75%
 * and 90% of the interval. `r` uniform in [0, 1).
 */
export function jittered(interval: number, detectMult: number, r: number): number {
  return detectMult === 1 ? interval * (0.75 + 0.15 * r) : interval * (1 - 0.25 * r);
}

/** Timers on `clock`, the jitter drawn from `random`. */
export function clockTimers(clock: Clock, random: () => number): SessionTimersFactory {
  return (_localDiscr, hooks) => new ClockTimers(clock, random, hooks);
}

class ClockTimers implements SessionTimers {
  private packet: ControlPacket | undefined;
  private interval = 0;
  private detectMult = 1;
  private sent = 0;
  private readonly periodic: OneShotTimer;
  private readonly detection: OneShotTimer;

  constructor(
    clock: Clock,
    private readonly random: () => number,
    private readonly hooks: TimerHooks,
  ) {
    this.periodic = new OneShotTimer(clock, () => this.due());
    this.detection = new OneShotTimer(clock, () => this.hooks.expired());
  }

  periodicPacket(packet: ControlPacket): void {
    this.packet = packet;
  }

  startPeriodic(interval: number, detectMult: number, restart: boolean): void {
    this.interval = interval;
    this.detectMult = detectMult;
    if (restart || !this.periodic.running) this.arm();
  }

  stopPeriodic(): void {
    this.periodic.cancel();
  }

  startDetection(time: number): void {
    this.detection.start(time / 1000);
  }

  stopDetection(): void {
    this.detection.cancel();
  }

  counters(): { readonly sent: number; readonly received: number } {
    return { sent: this.sent, received: 0 };
  }

  close(): void {
    this.periodic.cancel();
    this.detection.cancel();
  }

  private arm(): void {
    this.periodic.start(jittered(this.interval, this.detectMult, this.random()) / 1000);
  }

  private due(): void {
    if (this.packet) {
      this.sent++;
      this.hooks.send(this.packet);
    }
    this.arm();
  }
}
