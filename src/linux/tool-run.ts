// The daemon's own tools (nft for the load balancer, mkfifo for notify_fifo) run as its scripts
// run: started by the shim's spawnScript (native-shims/script_spawn.cc), which does not fork the
// daemon, with stdin given and stdout and stderr kept in memfds. Node's child_process forks: the
// kernel copies the page tables of the whole daemon holding its address space's lock, which the
// BFD pacer's thread waits for in its page faults (bench/RESULTS.md, eleventh and twelfth
// sittings), and the load balancer reads its counters through nft every 5 s (every second with a
// connection scheduler). child_process remains where the shim predates this or the kernel lacks
// pidfds, and with VRRPD_SCRIPT_SPAWN=fork.
import type * as ChildProcesses from 'node:child_process';
import { onFirstUse } from '../core/on-first-use.js';
import { SCRIPT_PATH } from '../scripting/script-security.js';
import { nativeShims } from './native.js';
import { usableSpawnScript } from './script-spawner.js';

/** node:child_process, for a host without the shim's spawnScript. */
const childProcesses = onFirstUse<typeof ChildProcesses>('node:child_process');

export interface ToolResult {
  /** The exit status; null when killed (a timeout). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A tool that could not be started (not installed: `code` ENOENT). */
export class ToolStartError extends Error {
  override readonly name = 'ToolStartError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/**
 * Runs argv (argv[0] searched in the scripts' PATH) with `input` on its stdin; resolves with its
 * exit status and output, killing its process group after `timeoutMs`. Rejects with
 * ToolStartError when it cannot start.
 */
export function runTool(argv: readonly string[], input: string, timeoutMs: number): Promise<ToolResult> {
  const spawnScript = nativeShims().spawnCaptures === true ? usableSpawnScript() : undefined;
  if (spawnScript) {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let pid: number;
      try {
        pid = spawnScript(
          argv,
          [`PATH=${SCRIPT_PATH}`],
          SCRIPT_PATH,
          -1,
          -1,
          (code, _signal, stdout, stderr) => {
            if (timer) clearTimeout(timer);
            resolve({ code: code >= 0 ? code : null, stdout: stdout.toString(), stderr: stderr.toString() });
          },
          Buffer.from(input),
        );
      } catch (error) {
        const failure = error as NodeJS.ErrnoException;
        reject(new ToolStartError(failure.message, failure.code));
        return;
      }
      // The tool leads a process group of its own (a session): the group goes, children and all.
      timer = setTimeout(() => {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // Gone already: its exit is on its way.
        }
      }, timeoutMs);
    });
  }
  return new Promise((resolve, reject) => {
    const child = childProcesses().spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new ToolStartError(error.message, error.code));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}
