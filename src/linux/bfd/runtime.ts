// The BfdRuntime the daemon's BFD subsystem uses (daemon/bfd/ports.ts). In the daemon the engine
// runs in a worker thread (worker.ts): bench/bfd.ts found the main loop cannot hold 10 ms
// intervals while it reloads or starts notify scripts (figures in docs/architecture.md). The
// in-thread runtime is the same engine on the caller's loop, for tests and for that comparison
// (VRRPD_BFD_THREAD=main).
import { Worker } from 'node:worker_threads';
import type { Clock } from '../../core/clock.js';
import { DISCARD_REASONS, type DiscardReason } from '../../bfd/packet.js';
import type { StateChange } from '../../bfd/session.js';
import type { SessionSpec, TableChanges } from '../../bfd/session-table.js';
import type { BfdRuntime, BfdStatus } from '../../daemon/bfd/ports.js';
import { BfdEngine } from './engine.js';
import { workerFile } from '../package-files.js';
import type { WorkerOptions, WorkerReport, WorkerRequest } from './messages.js';

const EMPTY_STATUS: BfdStatus = {
  sessions: [],
  discarded: Object.fromEntries(DISCARD_REASONS.map((reason) => [reason, 0])) as Record<DiscardReason, number>,
  sendErrors: 0,
};

/** Listener bookkeeping both runtimes share. */
class RuntimeEvents {
  private readonly stateListeners: Array<(session: string, change: StateChange) => void> = [];
  private readonly errorListeners: Array<(error: Error) => void> = [];

  onStateChange(listener: (session: string, change: StateChange) => void): void {
    this.stateListeners.push(listener);
  }

  onError(listener: (error: Error) => void): void {
    this.errorListeners.push(listener);
  }

  protected stateChanged(session: string, change: StateChange): void {
    for (const listener of this.stateListeners) listener(session, change);
  }

  protected failed(error: Error): void {
    for (const listener of this.errorListeners) listener(error);
  }
}

/** The engine on the caller's own loop. */
export class InThreadBfdRuntime extends RuntimeEvents implements BfdRuntime {
  private readonly engine: BfdEngine;

  constructor(clock: Clock, random: () => number = Math.random) {
    super();
    this.engine = new BfdEngine(clock, random, {
      stateChanged: (session, change) => this.stateChanged(session, change),
      error: (error) => this.failed(error),
    });
  }

  async configure(sessions: readonly SessionSpec[]): Promise<TableChanges> {
    return this.engine.configure(sessions);
  }

  status(): BfdStatus {
    return this.engine.status();
  }

  async stop(): Promise<void> {
    this.engine.stop();
  }
}

/** The engine in a worker thread of its own. */
export class WorkerBfdRuntime extends RuntimeEvents implements BfdRuntime {
  private readonly worker: Worker;
  private latest: BfdStatus = EMPTY_STATUS;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (changes: TableChanges | undefined) => void; reject: (error: Error) => void }>();
  private exited = false;
  /** The worker thread's nice value as it reported it at start (the subsystem's bfd-started line says it). */
  threadPriority: { readonly nice: number; readonly error?: string; readonly rtPriority?: number; readonly rtError?: string } | undefined;

  constructor(options: WorkerOptions = {}) {
    super();
    this.worker = new Worker(workerFile(import.meta.url, 'linux/bfd/worker.js'), { workerData: options });
    this.worker.on('message', (report: WorkerReport) => this.onReport(report));
    this.worker.on('error', (error) => this.failed(new Error(`the BFD worker thread failed: ${error.message}`)));
    this.worker.on('exit', (code) => {
      this.exited = true;
      for (const { reject } of this.pending.values()) reject(new Error(`the BFD worker thread exited (code ${code})`));
      this.pending.clear();
    });
  }

  async configure(sessions: readonly SessionSpec[]): Promise<TableChanges> {
    const changes = await this.request({ id: this.nextId++, type: 'configure', specs: sessions });
    if (!changes) throw new Error('the BFD worker answered a configuration without its changes');
    return changes;
  }

  status(): BfdStatus {
    return this.latest;
  }

  async stop(): Promise<void> {
    if (!this.exited) await this.request({ id: this.nextId++, type: 'stop' }).catch(() => undefined);
    await this.worker.terminate();
  }

  private request(request: WorkerRequest): Promise<TableChanges | undefined> {
    if (this.exited) return Promise.reject(new Error('the BFD worker thread has exited'));
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      this.worker.postMessage(request);
    });
  }

  private onReport(report: WorkerReport): void {
    switch (report.type) {
      case 'reply': {
        const waiting = this.pending.get(report.id);
        this.pending.delete(report.id);
        if (report.error !== undefined) waiting?.reject(new Error(report.error));
        else waiting?.resolve(report.changes);
        return;
      }
      case 'state':
        this.stateChanged(report.session, report.change);
        return;
      case 'status':
        this.latest = report.status;
        return;
      case 'error':
        this.failed(new Error(report.message));
        return;
      case 'priority':
        this.threadPriority = report;
        return;
    }
  }
}
