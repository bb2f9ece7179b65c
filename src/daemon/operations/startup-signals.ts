// SIGHUP, SIGUSR1 and SIGUSR2 that arrive while the daemon starts. Node's default action for them
// ends the process, and the daemon's own handlers (reload, dumps) need a running daemon, so the
// entry point holds them first thing, before the CLI's modules load, and the daemon takes them
// over once started: any number of SIGHUPs become one reload (it reads the file then anyway), each
// dump asked for is written once, with the started daemon's state. keepalived 2.2.7 does the same
// once its signal handlers are in (observed: a SIGHUP or SIGUSR1 while it starts is acted on when
// its VRRP process runs); configuration management sends exactly this (start, then reload).
// This module imports nothing of vrrpd's: bin/vrrpd loads it before everything else.

export const STARTUP_SIGNALS = ['SIGHUP', 'SIGUSR1', 'SIGUSR2'] as const;
export type StartupSignal = (typeof STARTUP_SIGNALS)[number];

/** The subcommands that become a daemon; for the others (status, check...) SIGHUP keeps ending them. */
const DAEMON_COMMANDS: ReadonlySet<string> = new Set(['run', 'ipfailover']);

interface Held {
  readonly arrived: Set<StartupSignal>;
  readonly listeners: ReadonlyArray<readonly [StartupSignal, () => void]>;
}

// Kept on globalThis, not in this module: bin/vrrpd holds the signals through the ES module
// bundle's copy of this module, and the daemon may run from the CommonJS bundle (its own copy,
// src/cli/code-cache.ts), whose releaseStartupSignals must find them.
const HELD_SLOT = Symbol.for('vrrpd.startupSignals');
const slot = globalThis as Record<symbol, Held | undefined>;

/** Holds the start-up signals if `argv` (without node and the script) starts a daemon. */
export function holdStartupSignals(argv: readonly string[]): void {
  if (slot[HELD_SLOT] || !isDaemonCommand(argv)) return;
  const arrived = new Set<StartupSignal>();
  const listeners = STARTUP_SIGNALS.map((signal) => [signal, () => void arrived.add(signal)] as const);
  for (const [signal, listener] of listeners) process.on(signal, listener);
  slot[HELD_SLOT] = { arrived, listeners };
}

/**
 * Stops holding: returns the signals that arrived meanwhile, each once, in order of arrival. Call
 * it after installing the daemon's own handlers, so that no signal falls between the two.
 */
export function releaseStartupSignals(): StartupSignal[] {
  const held = slot[HELD_SLOT];
  if (!held) return [];
  for (const [signal, listener] of held.listeners) process.off(signal, listener);
  slot[HELD_SLOT] = undefined;
  return [...held.arrived];
}

/** Whether `argv` (without node and the script) starts a daemon (`run`, `ipfailover`). */
export function isDaemonCommand(argv: readonly string[]): boolean {
  return DAEMON_COMMANDS.has(argv[0] ?? '');
}
