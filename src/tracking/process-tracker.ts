// vrrp_track_process: counts the running processes that match, polling the process table about
// once a second. OK while quorum <= count <= quorum_max. A new process counts only after
// fork_delay, a vanished one stops counting only after terminate_delay, so a restart does not flap.
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { Listeners, type Tracker } from './tracker.js';
import type { TrackerState } from './weights.js';

export interface ProcessEntry {
  readonly pid: number;
  /** /proc/PID/comm: the name, at most 15 characters. */
  readonly comm: string;
  /** /proc/PID/cmdline split at NULs. */
  readonly cmdline: readonly string[];
}

export interface ProcessTablePort {
  list(): Promise<ProcessEntry[]>;
}

export interface ProcessSpec {
  readonly name: string;
  readonly process: string;
  readonly parameters: readonly string[];
  readonly paramMatch: 'exact' | 'initial' | 'partial';
  readonly fullCommand: boolean;
  readonly quorum: number;
  readonly quorumMax?: number;
  readonly forkDelayMs: number;
  readonly terminateDelayMs: number;
}

export const PROCESS_POLL_MS = 1000;
/** The kernel's comm is TASK_COMM_LEN - 1 characters. */
const COMM_LENGTH = 15;

/**
 * keepalived's matching (keepalived.conf(5), vrrp_track_process): the name is the process name
 * (/proc/PID/comm), or the command when parameters are given (argv[0], or its last component);
 * `full_command` compares argv[0] as written. Parameters: exactly these without param_match;
 * `partial`: the first n parameters are these; `initial`: as partial, but the last one may be
 * longer than configured. param_match without parameters means "no parameters at all".
 */
export function processMatches(spec: ProcessSpec, entry: ProcessEntry): boolean {
  const argv0 = entry.cmdline[0] ?? '';
  const nameMatches = spec.fullCommand
    ? argv0 === spec.process
    : entry.comm === spec.process.slice(0, COMM_LENGTH) || argv0 === spec.process || argv0.split('/').pop() === spec.process;
  if (!nameMatches) return false;
  const args = entry.cmdline.slice(1);
  const wanted = spec.parameters;
  if (wanted.length === 0) return spec.paramMatch === 'exact' || args.length === 0;
  if (spec.paramMatch === 'exact') return args.length === wanted.length && args.every((arg, i) => arg === wanted[i]);
  if (args.length < wanted.length) return false;
  const last = wanted.length - 1;
  return wanted.every((param, i) => (spec.paramMatch === 'initial' && i === last ? args[i]!.startsWith(param) : args[i] === param));
}

export class ProcessTracker implements Tracker {
  readonly kind = 'process' as const;
  readonly arithmetic = 'state' as const;
  private current: TrackerState = 'init';
  private count = 0;
  /** pid -> when first seen. */
  private readonly seen = new Map<number, number>();
  /** pid -> when it vanished, for pids that had counted. */
  private readonly vanished = new Map<number, number>();
  private timer: TimerHandle | undefined;
  private stopped = true;
  private polling = false;
  private readonly listeners = new Listeners();

  constructor(
    readonly spec: ProcessSpec,
    private readonly table: ProcessTablePort,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  get state(): TrackerState {
    return this.current;
  }

  get running(): number {
    return this.count;
  }

  get detail(): string {
    return `${this.count} running`;
  }

  subscribe(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  /** The first look, before instances start: processes already running count at once. */
  async initialise(): Promise<void> {
    const entries = await this.table.list().catch(() => []);
    const now = this.clock.now();
    // keepalived: what runs at start has been running long enough.
    for (const entry of entries) if (processMatches(this.spec, entry)) this.seen.set(entry.pid, now - this.spec.forkDelayMs);
    this.evaluate(false);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  /** One poll: the process table, then the count. Exposed for tests. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const entries = await this.table.list();
      const now = this.clock.now();
      const present = new Set<number>();
      for (const entry of entries) {
        if (!processMatches(this.spec, entry)) continue;
        present.add(entry.pid);
        if (!this.seen.has(entry.pid)) this.seen.set(entry.pid, now);
      }
      for (const [pid, since] of this.seen) {
        if (present.has(pid)) continue;
        this.seen.delete(pid);
        if (now - since >= this.spec.forkDelayMs) this.vanished.set(pid, now);
      }
      this.evaluate(true);
    } catch (error) {
      this.log.warn({ event: 'process-table-unreadable', tracker: this.name, error: (error as Error).message }, `vrrp_track_process ${this.name}: cannot read the process table: ${(error as Error).message}`);
    } finally {
      this.polling = false;
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimer(PROCESS_POLL_MS, () => {
      void this.poll().finally(() => this.schedule());
    });
  }

  private evaluate(announce: boolean): void {
    const now = this.clock.now();
    for (const [pid, at] of this.vanished) if (now - at >= this.spec.terminateDelayMs) this.vanished.delete(pid);
    let count = this.vanished.size;
    for (const since of this.seen.values()) if (now - since >= this.spec.forkDelayMs) count++;
    const max = this.spec.quorumMax;
    const state: TrackerState = count >= this.spec.quorum && (max === undefined || count <= max) ? 'ok' : 'failed';
    const changed = state !== this.current;
    this.count = count;
    if (!changed) return;
    const from = this.current;
    this.current = state;
    if (!announce && state === 'ok') return;
    this.log[state === 'ok' ? 'info' : 'warn'](
      { event: 'tracker-changed', tracker: this.name, kind: 'process', from, state, running: count },
      `vrrp_track_process ${this.name}: ${state === 'ok' ? 'OK' : 'failed'} (${count} running; quorum ${this.spec.quorum}${max !== undefined ? `..${max}` : ''})`,
    );
    this.listeners.notify();
  }
}
