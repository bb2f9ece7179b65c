// systemd's readiness protocol (sd_notify(3)): newline-separated KEY=VALUE datagrams to the
// AF_UNIX socket named by $NOTIFY_SOCKET ('@' = abstract namespace). Node cannot send unix
// datagrams, so the native shim (sendUnixDatagram) does the sendto.
import type { Logger } from '../core/log.js';
import { nativeShims } from './native.js';

/** Sends one datagram to a unix socket path or abstract name ("@name"). */
export function sendUnixDatagram(path: string, message: string): number {
  return nativeShims().sendUnixDatagram(path, Buffer.from(message));
}

/** CLOCK_MONOTONIC in microseconds (libuv's hrtime reads CLOCK_MONOTONIC on Linux). */
export function monotonicUsec(): bigint {
  return process.hrtime.bigint() / 1000n;
}

export class SystemdNotifier {
  private watchdogTimer: NodeJS.Timeout | undefined;
  private lastStatus: string | undefined;

  private constructor(
    private readonly socketPath: string,
    private readonly log: Logger,
    /** Half of WATCHDOG_USEC, in ms, when systemd asked for keep-alives (WatchdogSec=). */
    readonly watchdogIntervalMs: number | undefined,
  ) {}

  /** A notifier when started by systemd with Type=notify (NOTIFY_SOCKET set), else undefined. */
  static fromEnvironment(log: Logger, env: NodeJS.ProcessEnv = process.env): SystemdNotifier | undefined {
    const socketPath = env['NOTIFY_SOCKET'];
    if (!socketPath) return undefined;
    const usec = Number(env['WATCHDOG_USEC']);
    const watchdogPid = env['WATCHDOG_PID'];
    // sd_watchdog_enabled(3): WATCHDOG_PID, when set, must be ours.
    const forUs = watchdogPid === undefined || watchdogPid === '' || Number(watchdogPid) === process.pid;
    const interval = Number.isFinite(usec) && usec > 0 && forUs ? Math.max(1, Math.floor(usec / 2000)) : undefined;
    return new SystemdNotifier(socketPath, log, interval);
  }

  send(fields: Readonly<Record<string, string | number | bigint>>): void {
    const message = Object.entries(fields)
      .map(([key, value]) => `${key}=${String(value)}`)
      .join('\n');
    try {
      sendUnixDatagram(this.socketPath, message);
    } catch (error) {
      // systemd gone or the socket unreachable: nothing to do but say so once per kind.
      this.log.warn({ event: 'sd-notify-failed', socket: this.socketPath, error: (error as Error).message }, `sd_notify to ${this.socketPath} failed: ${(error as Error).message}`);
    }
  }

  ready(status: string): void {
    this.lastStatus = status;
    this.send({ READY: 1, STATUS: status });
  }

  /** Before a reload: systemd shows "reloading" until the next READY=1. */
  reloading(): void {
    this.send({ RELOADING: 1, MONOTONIC_USEC: monotonicUsec() });
  }

  stopping(): void {
    this.stopWatchdog();
    this.send({ STOPPING: 1 });
  }

  /** STATUS= when it changed since the last one sent. */
  status(status: string): void {
    if (status === this.lastStatus) return;
    this.lastStatus = status;
    this.send({ STATUS: status });
  }

  /**
   * WATCHDOG=1 every half WATCHDOG_USEC from the event loop: a stalled loop, the failure that
   * makes VRRP flap, stops the keep-alives and systemd restarts vrrpd. `tick` runs at the same
   * time (status updates).
   */
  startWatchdog(tick: () => void = () => undefined): void {
    if (this.watchdogIntervalMs === undefined || this.watchdogTimer) return;
    this.watchdogTimer = setInterval(() => {
      this.send({ WATCHDOG: 1 });
      tick();
    }, this.watchdogIntervalMs);
    this.watchdogTimer.unref();
  }

  stopWatchdog(): void {
    if (this.watchdogTimer) clearInterval(this.watchdogTimer);
    this.watchdogTimer = undefined;
  }
}
