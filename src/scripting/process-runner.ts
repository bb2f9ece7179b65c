// Running check and notify scripts without ever blocking the event loop. Each run gets its own
// process group (spawned detached) so that a timeout kills the script and everything it started
// (kill(-pgid, SIGKILL)); output goes to /dev/null, so nothing is buffered however much a script
// prints; the environment is clean (PATH only), as keepalived gives its scripts.
import type * as ChildProcesses from 'node:child_process';
import { onFirstUse } from '../core/on-first-use.js';
import { SCRIPT_PATH } from './script-security.js';

/** node:child_process (node:net and node:dgram behind it): loaded at the first run, after a daemon's first advertisement. */
const childProcesses = onFirstUse<typeof ChildProcesses>('node:child_process');

export interface RunRequest {
  /** argv: the program and its arguments (no shell). */
  readonly argv: readonly string[];
  readonly uid: number;
  readonly gid: number;
  /** A run lasting longer is killed with its process group and reported as timed out; none: it may run as long as vrrpd. */
  readonly timeoutMs?: number;
  /** Aborting kills the run's process group at once (vrrpd stopping while a check runs). */
  readonly signal?: AbortSignal;
}

export type RunOutcome =
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'signalled'; readonly signal: string }
  | { readonly kind: 'timed-out' }
  | { readonly kind: 'failed-to-start'; readonly message: string };

/** The port the script and notify logic use; tests supply a fake. */
export interface ProcessRunner {
  run(request: RunRequest): Promise<RunOutcome>;
}

export function describeOutcome(outcome: RunOutcome): string {
  switch (outcome.kind) {
    case 'exited':
      return `exit status ${outcome.code}`;
    case 'signalled':
      return `killed by ${outcome.signal}`;
    case 'timed-out':
      return 'timed out (killed with its process group)';
    case 'failed-to-start':
      return `could not start: ${outcome.message}`;
  }
}

/**
 * A started run as superviseRun sees it: the pid of its first process, which leads the run's
 * process group (a new session), read when the group is killed; undefined when it did not start.
 */
export interface StartedRun {
  readonly pid?: number | undefined;
}

/**
 * What every runner does around its own way of starting a process: the timeout and the abort kill
 * the run's process group and settle the run at once (the group's exit is not awaited); otherwise
 * the program's end settles it. `start` starts the program and calls `settle` with how it ended
 * (or failed to start); the first outcome wins.
 */
export function superviseRun(request: RunRequest, start: (settle: (outcome: RunOutcome) => void) => StartedRun): Promise<RunOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let started: StartedRun = {};
    // The whole group: a shell script's children (sleep, curl...) must not outlive the run.
    const killGroup = (): void => {
      if (started.pid === undefined) return;
      try {
        process.kill(-started.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const onAbort = (): void => {
      killGroup();
      finish({ kind: 'signalled', signal: 'SIGKILL' });
    };
    const finish = (outcome: RunOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    started = start(finish);
    if (settled) return;
    if (request.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        killGroup();
        finish({ kind: 'timed-out' });
      }, request.timeoutMs);
    }
    request.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** node:child_process's spawn: a fork() of the whole daemon (see src/linux/script-spawner.ts for the runner the daemon uses where it can). */
export class ChildProcessRunner implements ProcessRunner {
  run(request: RunRequest): Promise<RunOutcome> {
    return superviseRun(request, (settle) => {
      const [program, ...args] = request.argv;
      const child = childProcesses().spawn(program ?? '', args, {
        detached: true,
        stdio: 'ignore',
        env: { PATH: SCRIPT_PATH },
        cwd: '/',
        ...(process.getuid?.() === 0 ? { uid: request.uid, gid: request.gid } : {}),
      });
      child.once('error', (error) => settle({ kind: 'failed-to-start', message: error.message }));
      child.once('exit', (code, signal) => settle(code !== null ? { kind: 'exited', code } : { kind: 'signalled', signal: signal ?? 'unknown' }));
      // A detached child must not keep vrrpd alive on exit.
      child.unref();
      return child;
    });
  }
}
