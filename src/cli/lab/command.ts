// `vrrpd lab [--keep] [--routers N]` and `vrrpd lab --clean`: the namespace demo with real
// daemons. Everything it makes is removed at the end, on SIGINT/SIGTERM/SIGHUP and on any error; with
// --keep a finished lab stays up until `vrrpd lab --clean`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join, relative } from 'node:path';
import { Lab, KEPT_MARKER, LAB_PREFIX, LAB_STATE_DIR } from './demo.js';
import { deleteNamespace, destroyLiveLabsSync, existingLabs, isRoot, processAlive, sweepStaleLabs } from './namespaces.js';
import { Narrator } from './narrator.js';
import { VRRPD_BIN } from './routers.js';

export interface LabCommandOptions {
  readonly keep: boolean;
  /** Remove labs instead of making one: true for all of them, or one lab's id. */
  readonly clean: boolean | string;
  readonly routers: number;
}

/** A reason the lab cannot run, said plainly. */
export class LabError extends Error {
  override readonly name = 'LabError';
}

class Interrupted extends Error {
  override readonly name = 'Interrupted';
  constructor(readonly signal: NodeJS.Signals) {
    super(`${signal}`);
  }
}

export async function lab(options: LabCommandOptions, write: (text: string) => void, styled = process.stdout.isTTY === true): Promise<number> {
  try {
    preflight();
  } catch (error) {
    if (!(error instanceof LabError)) throw error;
    process.stderr.write(`vrrpd lab: ${error.message}\n`);
    return 1;
  }
  if (options.clean !== false) return clean(write, options.clean === true ? undefined : options.clean);

  const say = new Narrator(write, styled);
  let keep = false;
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (abort.signal.aborted) return write(`${signal}: still cleaning up\n`);
    write(`\n${signal}: stopping the lab\n`);
    abort.abort(new Interrupted(signal));
  };
  // SIGHUP: the terminal went away; the lab must not outlive it unless --keep said so.
  const handled = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of handled) process.on(signal, onSignal);
  let built: Lab | undefined;
  // A last resort if this process exits some other way with the lab up.
  const onExit = (): void => {
    destroyLiveLabsSync();
    if (built && !keep) rmSync(built.directory, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  let exitCode = 0;
  try {
    const leftovers = await sweepStaleLabs(LAB_PREFIX, isKept);
    for (const id of leftovers) rmSync(join(LAB_STATE_DIR, id), { recursive: true, force: true });
    say.title(`vrrpd lab: ${options.routers} routers running vrrpd on one link, one VIP, in network namespaces`);
    if (leftovers.length > 0) say.line(`removed ${leftovers.length} lab(s) left by runs that were killed: ${leftovers.join(', ')}`);
    const lab = await Lab.create(say, abort.signal, (made) => (built = made));
    await lab.build(options.routers);
    await lab.startDaemons();
    const master = await lab.election();
    await lab.failover(master);
    await lab.rejoin(master);
    await lab.override(master);
    if (options.keep) {
      lab.keep(vrrpdCommand());
      keep = true;
    }
  } catch (error) {
    const reason = abort.signal.aborted ? abort.signal.reason : error;
    if (reason instanceof Interrupted) {
      // 128 + the signal's number, as a shell reports a process killed by it.
      exitCode = 128 + (osConstants.signals[reason.signal] ?? 15);
    } else {
      process.stderr.write(`vrrpd lab: ${(reason as Error).message}\n`);
      exitCode = 1;
    }
  } finally {
    if (built && !keep) {
      say.step('Cleaning up');
      try {
        say.line(await built.destroy());
      } catch (error) {
        process.stderr.write(`vrrpd lab: cleaning up failed (${(error as Error).message}); vrrpd lab --clean removes what is left\n`);
        exitCode ||= 1;
      }
    }
    // A lab that failed while its switch was being made is not `built` yet.
    if (!keep) destroyLiveLabsSync();
    for (const signal of handled) process.off(signal, onSignal);
    process.off('exit', onExit);
  }
  return exitCode;
}

function preflight(): void {
  if (!isRoot()) throw new LabError('needs root: it creates network namespaces and runs vrrpd in them (try: sudo vrrpd lab)');
  if (spawnSync('ip', ['-V'], { stdio: 'ignore' }).error) throw new LabError('the `ip` command (iproute2) is missing: apt-get install iproute2');
  const netns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (netns.status !== 0) throw new LabError(`\`ip netns\` does not work here: ${netns.stderr.trim()}`);
}

function isKept(labId: string): boolean {
  return existsSync(join(LAB_STATE_DIR, labId, KEPT_MARKER));
}

/** `vrrpd lab --clean`: removes kept labs and leftovers; a lab whose `vrrpd lab` still runs is left to it. */
async function clean(write: (text: string) => void, only?: string): Promise<number> {
  let removed = 0;
  const labs = await existingLabs(LAB_PREFIX);
  for (const [id, found] of labs) {
    if (only !== undefined && id !== only) continue;
    if (found.pid !== process.pid && processAlive(found.pid) && !isKept(id)) {
      write(`${id}: in use by vrrpd lab (pid ${found.pid}); it cleans up after itself\n`);
      continue;
    }
    for (const netns of found.namespaces) await deleteNamespace(netns);
    rmSync(join(LAB_STATE_DIR, id), { recursive: true, force: true });
    write(`${id}: removed ${found.namespaces.length} namespaces and their vrrpd\n`);
    removed++;
  }
  // Directories whose namespaces are already gone.
  if (existsSync(LAB_STATE_DIR)) {
    for (const id of readdirSync(LAB_STATE_DIR)) {
      if (labs.has(id) || (only !== undefined && id !== only)) continue;
      rmSync(join(LAB_STATE_DIR, id), { recursive: true, force: true });
    }
    if (readdirSync(LAB_STATE_DIR).length === 0) rmSync(LAB_STATE_DIR, { recursive: true, force: true });
  }
  if (removed === 0) write(only === undefined ? 'no lab to remove\n' : `no lab ${only}\n`);
  return 0;
}

/** How to call vrrpd in printed commands: `vrrpd` when that is what PATH finds, else the path used. */
function vrrpdCommand(): string {
  const ours = realpathSync(VRRPD_BIN);
  for (const directory of (process.env['PATH'] ?? '').split(':')) {
    if (directory === '') continue;
    try {
      if (realpathSync(join(directory, 'vrrpd')) === ours) return 'vrrpd';
    } catch {
      // not there
    }
  }
  const local = relative(process.cwd(), VRRPD_BIN);
  return local.startsWith('..') ? VRRPD_BIN : local;
}
