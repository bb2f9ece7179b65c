// What the operator services need from the host: systemd's notify protocol and the realtime
// signal keepalived's JSON dump is asked with. The Linux layer implements them (linux/sd-notify.ts,
// linux/realtime-signal.ts); `vrrpd run` hands them over.

/** systemd's readiness protocol (sd_notify(3)), when started as a Type=notify service. */
export interface ServiceManagerPort {
  /** READY=1 with STATUS=: started, or done reloading. */
  ready(status: string): void;
  /** RELOADING=1. */
  reloading(): void;
  /** STOPPING=1. */
  stopping(): void;
  /** STATUS= when it changed. */
  status(line: string): void;
  /** WATCHDOG=1 from the event loop, as often as WatchdogSec= asks; `beat` runs with each one. */
  startWatchdog(beat: () => void): void;
  stopWatchdog(): void;
}

/** Calls `handler` on each delivery of a signal Node cannot handle; returns the way to stop. */
export type SignalPort = (handler: () => void) => () => void;
