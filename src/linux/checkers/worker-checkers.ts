// Checkers in a worker thread (worker.ts): each run of a check is one message there and one back;
// a checker's spec goes once, before its first run (a worker started anew gets it again).
// A TLS handshake through node:tls costs milliseconds of CPU; hundreds a second on the main loop
// held VRRP's timers back (bench checker-loop). One worker serves every checker; it is started at
// the first run and holds the process open only while a run is in flight. The main loop keeps the
// first twenty runs a second of checks light there (placement.ts): at the rates
// most deployments check at, the worker's own wake-ups cost more than the checks. PING_CHECK always
// stays on the main loop (`inThread`): an echo costs no CPU to speak of, and the raw-socket addon
// it uses is not one a worker thread can load (Node: "Module did not self-register").
import { Worker } from 'node:worker_threads';
import type { CheckerHost, CheckResult, CheckRunner } from '../../checkers/checker.js';
import type { CheckSpec } from '../../checkers/spec.js';
import { workerFile } from '../package-files.js';
import type { CheckReport, CheckRequest } from './messages.js';
import { haveNativeTls } from './native-tls-stream.js';
import { CheckPlacement } from './placement.js';
import { monotonicMs } from '../monotonic.js';

export class WorkerCheckers implements CheckerHost {
  private readonly placement = new CheckPlacement({ nativeTls: haveNativeTls(), allInWorker: process.env['VRRPD_CHECKER_THREAD'] === 'worker' });
  /** Runs started on each side (read by test/checkers/run-check.mjs). */
  readonly runs = { mainLoop: 0, worker: 0 };
  private worker: Worker | undefined;
  private nextRun = 1;
  private nextChecker = 1;
  /** Checkers whose spec the current worker has. */
  private readonly known = new Set<number>();
  private readonly pending = new Map<number, { resolve: (result: CheckResult) => void; reject: (error: Error) => void }>();
  /** A checker the daemon dropped (a reload replaced it) loses its state in the worker too. */
  private readonly dropped = new FinalizationRegistry<number>((checker) => {
    this.known.delete(checker);
    this.post({ type: 'forget', checker });
  });

  constructor(private readonly inThread: CheckerHost) {}

  checker(spec: CheckSpec): CheckRunner {
    if (spec.type === 'PING_CHECK') return this.inThread.checker(spec);
    const checker = this.nextChecker++;
    let onMainLoop: CheckRunner | undefined;
    const runner: CheckRunner = {
      spec,
      run: (signal, retry) => {
        if (this.placement.place(spec, monotonicMs()) === 'worker') {
          this.runs.worker++;
          return this.run(checker, spec, signal, retry);
        }
        this.runs.mainLoop++;
        return (onMainLoop ??= this.inThread.checker(spec)).run(signal, retry);
      },
    };
    this.dropped.register(runner, checker);
    return runner;
  }

  /** Ends the worker; runs in flight reject. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private run(checker: number, spec: CheckSpec, signal: AbortSignal | undefined, retry: number | undefined): Promise<CheckResult> {
    const id = this.nextRun++;
    return new Promise<CheckResult>((resolve, reject) => {
      const onAbort = (): void => this.post({ type: 'abort', id });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (result) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(result);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
      this.started().ref();
      if (!this.known.has(checker)) {
        this.post({ type: 'add', checker, spec });
        this.known.add(checker);
      }
      this.post({ type: 'run', id, checker, ...(retry !== undefined ? { retry } : {}) });
      if (signal?.aborted) onAbort();
    });
  }

  private post(request: CheckRequest): void {
    if (request.type !== 'forget' && request.type !== 'abort') this.started().postMessage(request);
    else this.worker?.postMessage(request);
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerFile(import.meta.url, 'linux/checkers/worker.js'));
    worker.unref();
    this.known.clear();
    worker.on('message', (report: CheckReport) => {
      const waiting = this.pending.get(report.id);
      this.pending.delete(report.id);
      if (this.pending.size === 0) worker.unref();
      if (report.type === 'result') waiting?.resolve(report.result);
      else waiting?.reject(new Error(report.message));
    });
    // A worker that dies fails the runs in flight (their trackers count a failure to run) and is
    // started anew at the next run.
    const failed = (why: string): void => {
      if (this.worker === worker) this.worker = undefined;
      const waiting = [...this.pending.values()];
      this.pending.clear();
      for (const { reject } of waiting) reject(new Error(`the checkers' worker thread ${why}`));
    };
    worker.on('error', (error) => failed(`failed: ${error.message}`));
    worker.on('exit', (code) => failed(`exited (code ${code})`));
    this.worker = worker;
    return worker;
  }
}
