// The daemon's script runner: the children started by the shim's spawnScript
// (native-shims/script_spawn.cc: clone(CLONE_VM | CLONE_VFORK), no fork of the daemon), with
// ChildProcessRunner's semantics: a process group of its own that a timeout or an abort kills,
// output to /dev/null, PATH only in the environment, cwd /, the script's user and group when
// vrrpd runs as root. A fork() of the daemon copies its page tables holding the address space's
// lock, and the BFD pacer's thread waited for it in its page faults, up to 107 ms under a CPU hog
// (bench/RESULTS.md, eleventh sitting). Node's child_process, which forks, remains where the shim
// predates spawnScript or the kernel lacks pidfds (before 5.4), and with VRRPD_SCRIPT_SPAWN=fork
// (the benchmark's comparison).
import { constants } from 'node:os';
import { ChildProcessRunner, superviseRun, type ProcessRunner, type RunOutcome, type RunRequest } from '../scripting/process-runner.js';
import { SCRIPT_PATH } from '../scripting/script-security.js';
import { nativeShims, type NativeShims } from './native.js';

type SpawnScript = NonNullable<NativeShims['spawnScript']>;

/** Signal numbers to names (SIGTERM...), as Node reports a child's end. */
let signalNames: Map<number, string> | undefined;
function signalName(signal: number): string {
  signalNames ??= new Map(Object.entries(constants.signals).map(([name, number]) => [number, name]));
  return signalNames.get(signal) ?? 'unknown';
}

export class NativeProcessRunner implements ProcessRunner {
  constructor(private readonly spawnScript: SpawnScript) {}

  run(request: RunRequest): Promise<RunOutcome> {
    return superviseRun(request, (settle) => {
      const asRoot = process.getuid?.() === 0;
      try {
        const pid = this.spawnScript(request.argv, [`PATH=${SCRIPT_PATH}`], SCRIPT_PATH, asRoot ? request.uid : -1, asRoot ? request.gid : -1, (code, signal) =>
          settle(code >= 0 ? { kind: 'exited', code } : { kind: 'signalled', signal: signalName(signal) }),
        );
        return { pid };
      } catch (error) {
        settle({ kind: 'failed-to-start', message: (error as Error).message });
        return {};
      }
    });
  }
}

let chosen: ProcessRunner | undefined;

/**
 * The runner for this host: NativeProcessRunner where the shim and the kernel allow, else
 * ChildProcessRunner; chosen at the first run (a daemon without scripts never asks).
 */
export function hostProcessRunner(): ProcessRunner {
  return { run: (request) => (chosen ??= chooseRunner()).run(request) };
}

function chooseRunner(): ProcessRunner {
  const spawnScript = usableSpawnScript();
  return spawnScript ? new NativeProcessRunner(spawnScript) : new ChildProcessRunner();
}

let usable: { readonly spawnScript: SpawnScript | undefined } | undefined;

/**
 * The shim's spawnScript where the shim has it and the kernel allows (pidfds), unless
 * VRRPD_SCRIPT_SPAWN=fork; undefined where children must come from node:child_process. Asked once:
 * the scripts' runner and the daemon's own tools (tool-run.ts) start children the same way.
 */
export function usableSpawnScript(): SpawnScript | undefined {
  usable ??= (() => {
    const shims = nativeShims();
    const fits = process.env['VRRPD_SCRIPT_SPAWN'] !== 'fork' && shims.spawnScript !== undefined && shims.spawnSupported?.() === true;
    return { spawnScript: fits ? shims.spawnScript : undefined };
  })();
  return usable.spawnScript;
}
