// global_defs notify_fifo / vrrp_notify_fifo: one line per state change,
// `INSTANCE "VI_1" MASTER 100` or `GROUP "G1" BACKUP 0`, for a reader such as a monitoring
// agent. The FIFO is opened read-write and non-blocking: opening never waits for a reader and
// a full pipe drops the line (with one log line) instead of stalling the daemon.
import type * as ChildProcesses from 'node:child_process';
import { closeSync, constants, openSync, statSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Logger } from '../core/log.js';
import { onFirstUse } from '../core/on-first-use.js';

/** node:child_process, for mkfifo: loaded when a FIFO has to be made. */
const childProcesses = onFirstUse<typeof ChildProcesses>('node:child_process');

export interface FifoPort {
  writeLine(line: string): void;
  close(): void;
}

export class NotifyFifo implements FifoPort {
  private fd: number | undefined;
  private dropping = false;

  private constructor(
    readonly path: string,
    private readonly log: Logger,
  ) {}

  /** Opens the FIFO, creating it (mode 0600) when missing, as keepalived does. */
  static async open(path: string, log: Logger): Promise<NotifyFifo> {
    const fifo = new NotifyFifo(path, log);
    try {
      let stat = statSync(path, { throwIfNoEntry: false });
      if (!stat) {
        await promisify(childProcesses().execFile)('mkfifo', ['-m', '0600', path]);
        stat = statSync(path);
      }
      if (!stat.isFIFO()) throw new Error('it exists and is not a FIFO');
      fifo.fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
    } catch (error) {
      log.error({ event: 'notify-fifo-unavailable', path, error: (error as Error).message }, `notify_fifo ${path}: ${(error as Error).message}; no FIFO notifications`);
    }
    return fifo;
  }

  writeLine(line: string): void {
    if (this.fd === undefined) return;
    try {
      writeSync(this.fd, line + '\n');
      this.dropping = false;
    } catch (error) {
      if (!this.dropping) this.log.warn({ event: 'notify-fifo-full', path: this.path, error: (error as Error).message }, `notify_fifo ${this.path}: cannot write (${(error as Error).message}); lines are dropped until it drains`);
      this.dropping = true;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
