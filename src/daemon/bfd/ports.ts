// What the BFD subsystem needs from the host: a runtime that runs the sessions (the pure core,
// src/bfd, with its sockets and clock) and tells their state changes. The Linux runtime
// (src/linux/bfd/) runs them in a worker thread of their own, so nothing the daemon's main loop
// does delays a transmission or a detection; tests give a fake.
import type { DiscardReason } from '../../bfd/packet.js';
import type { StateChange } from '../../bfd/session.js';
import type { SessionSpec, SessionStatus, TableChanges } from '../../bfd/session-table.js';

export interface BfdStatus {
  readonly sessions: readonly SessionStatus[];
  /** Received packets discarded, by reason, over all sessions and none. */
  readonly discarded: Readonly<Record<DiscardReason, number>>;
  /** Packets the kernel refused to send (no route, a down link). */
  readonly sendErrors: number;
}

export interface BfdRuntime {
  /**
   * Runs these sessions: the first call starts them, later ones carry them over (sessions.ts's
   * rules). Opens what sockets they need first, and rejects without changing anything if one
   * cannot be opened.
   */
  configure(sessions: readonly SessionSpec[]): Promise<TableChanges>;
  /** The latest status (a worker reports it after each change and a few times a second). */
  status(): BfdStatus;
  /** Every state change of every session, in order. */
  onStateChange(listener: (session: string, change: StateChange) => void): void;
  /** Failures that need an operator's eye (a socket that stops working, the worker dying). */
  onError(listener: (error: Error) => void): void;
  /** Every session sends AdminDown once (RFC 5880 §6.8.16) and everything closes. */
  stop(): Promise<void>;
  /**
   * A runtime with a thread of its own: the nice value that thread asked for, or why the kernel
   * refused it; with bfd_rt_priority, the SCHED_RR priority its pacer thread asked for, or why not.
   */
  readonly threadPriority?: { readonly nice: number; readonly error?: string; readonly rtPriority?: number; readonly rtError?: string } | undefined;
}
