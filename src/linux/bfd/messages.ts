// What the daemon's main thread and the BFD worker (worker.ts) say to each other.
import type { StateChange } from '../../bfd/session.js';
import type { SessionSpec, TableChanges } from '../../bfd/session-table.js';
import type { BfdStatus } from '../../daemon/bfd/ports.js';

export type WorkerRequest = { readonly id: number; readonly type: 'configure'; readonly specs: readonly SessionSpec[] } | { readonly id: number; readonly type: 'stop' };

export type WorkerReport =
  | { readonly type: 'reply'; readonly id: number; readonly changes?: TableChanges; readonly error?: string }
  /** A state change; a 'status' follows it (after, so that the change reaches VRRP first). */
  | { readonly type: 'state'; readonly session: string; readonly change: StateChange }
  | { readonly type: 'status'; readonly status: BfdStatus }
  | { readonly type: 'error'; readonly message: string }
  /** The thread's nice value at start, or why the kernel refused it; the same for the pacer's SCHED_RR priority. */
  | { readonly type: 'priority'; readonly nice: number; readonly error?: string; readonly rtPriority?: number; readonly rtError?: string };

/** What the worker is started with (workerData). */
export interface WorkerOptions {
  /** bfd_rt_priority: the pacer thread under SCHED_RR at this priority. */
  readonly rtPriority?: number;
}
