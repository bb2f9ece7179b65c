// keepalived's notifications of state changes, for instances and sync groups:
// - notify_master / notify_backup / notify_fault / notify_stop: the command line as written;
// - notify: the command line with four arguments appended: INSTANCE|GROUP, the name,
//   MASTER|BACKUP|FAULT|STOP, and the priority (0 for a group);
// - the global notify FIFO: `INSTANCE "VI_1" MASTER 100`;
// - an instance a reload removed: FAULT to notify and the FIFO, or DELETED (and the notify_deleted
//   script) with notify_deleted;
// - with notify_priority_changes, a FIFO line per priority change: `INSTANCE "VI_1" MASTER_PRIORITY 90`
//   (BACKUP_PRIORITY when not Master);
// - a Master hearing a lower-priority Master: the FIFO line `INSTANCE "VI_1" MASTER_RX_LOWER_PRI 150`
//   (our priority) and notify_master_rx_lower_pri as written; the generic notify is not called.
// Scripts run in child processes with a timeout (process-runner.ts): a slow or failing notify
// never delays the protocol; a failure is logged once per run.
import type { NotifyConfig } from '../config/model.js';
import type { Logger } from '../core/log.js';
import type { RouterState, TransitionReason } from '../vrrp/protocol/state.js';
import { splitCommandLine } from '../scripting/command-line.js';
import { describeOutcome, type ProcessRunner } from '../scripting/process-runner.js';
import type { ScriptIdentity } from '../scripting/users.js';
import type { FifoPort } from './fifo.js';

export type NotifyState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP';
export type NotifyScope = 'INSTANCE' | 'GROUP';

/** How long a notify script may run before it is killed with its process group. */
export const NOTIFY_TIMEOUT_MS = 30_000;

/** The state keepalived reports for a transition; nothing for Initialize other than a stop. */
export function notifyStateOf(to: RouterState, reason: TransitionReason): NotifyState | undefined {
  switch (to) {
    case 'Master':
      return 'MASTER';
    case 'Backup':
      return 'BACKUP';
    case 'Fault':
      return 'FAULT';
    case 'Initialize':
      return reason === 'shutdown' ? 'STOP' : undefined;
  }
}

const SPECIFIC: Record<NotifyState, 'master' | 'backup' | 'fault' | 'stop'> = { MASTER: 'master', BACKUP: 'backup', FAULT: 'fault', STOP: 'stop' };

export interface NotifierDeps {
  readonly runner: ProcessRunner;
  readonly identity: ScriptIdentity;
  readonly log: Logger;
  readonly fifo?: FifoPort;
  /** Who a script configured with its own user (`notify_master SCRIPT USER [GROUP]`) runs as. */
  readonly identityOf?: (user: string) => { readonly identity: ScriptIdentity; readonly problem?: string };
  /** Why a program may not run as that identity (script security); undefined when it may. */
  readonly refusal?: (program: string, identity: ScriptIdentity) => string | undefined;
  readonly timeoutMs?: number;
}

export class Notifier {
  constructor(private readonly deps: NotifierDeps) {}

  notify(scope: NotifyScope, name: string, notify: NotifyConfig, state: NotifyState, priority: number): void {
    const key = SPECIFIC[state];
    const specific = notify[key];
    if (specific) this.run(specific, [], `${scope.toLowerCase()} ${name} notify_${key}`, notify.users?.[key]);
    if (notify.any) this.run(notify.any, [scope, name, state, String(priority)], `${scope.toLowerCase()} ${name} notify`, notify.users?.any);
    this.deps.fifo?.writeLine(`${scope} "${name}" ${state} ${priority}`);
  }

  /**
   * An instance a reload removed: keepalived reports it FAULT to notify and the FIFO (running no
   * notify_fault script), or DELETED with notify_deleted, whose script (if any) runs as well.
   */
  deleted(name: string, notify: NotifyConfig, priority: number): void {
    const state = notify.deleted ? 'DELETED' : 'FAULT';
    if (notify.deleted?.script) this.run(notify.deleted.script, [], `instance ${name} notify_deleted`, notify.users?.deleted);
    if (notify.any) this.run(notify.any, ['INSTANCE', name, state, String(priority)], `instance ${name} notify`, notify.users?.any);
    this.deps.fifo?.writeLine(`INSTANCE "${name}" ${state} ${priority}`);
  }

  /** notify_priority_changes: the FIFO only, as keepalived. */
  priorityChanged(name: string, isMaster: boolean, priority: number): void {
    this.deps.fifo?.writeLine(`INSTANCE "${name}" ${isMaster ? 'MASTER' : 'BACKUP'}_PRIORITY ${priority}`);
  }

  /** As Master, an advertisement from a lower-priority Master: once per advertisement, as keepalived. */
  masterRxLowerPriority(name: string, notify: NotifyConfig, priority: number): void {
    if (notify.masterRxLowerPri) this.run(notify.masterRxLowerPri, [], `instance ${name} notify_master_rx_lower_pri`, notify.users?.masterRxLowerPri);
    this.deps.fifo?.writeLine(`INSTANCE "${name}" MASTER_RX_LOWER_PRI ${priority}`);
  }

  /** Runs a script as its own user if it has one, else as script_user. */
  private run(commandLine: string, extra: readonly string[], what: string, user?: string): void {
    const { log, runner } = this.deps;
    let argv: string[];
    try {
      argv = [...splitCommandLine(commandLine), ...extra];
    } catch (error) {
      log.error({ event: 'notify-failed', what, command: commandLine, error: (error as Error).message }, `${what}: ${(error as Error).message}`);
      return;
    }
    const own = user !== undefined ? this.deps.identityOf?.(user) : undefined;
    const identity = own?.identity ?? this.deps.identity;
    const refused = own?.problem ?? this.deps.refusal?.(argv[0]!, identity);
    if (refused) {
      log.error({ event: 'notify-refused', what, command: commandLine, reason: refused }, `${what} not run: ${refused}`);
      return;
    }
    void runner.run({ argv, uid: identity.uid, gid: identity.gid, timeoutMs: this.deps.timeoutMs ?? NOTIFY_TIMEOUT_MS }).then(
      (outcome) => {
        if (outcome.kind === 'exited' && outcome.code === 0) return;
        log.warn({ event: 'notify-failed', what, command: commandLine, outcome: describeOutcome(outcome) }, `${what} failed: ${describeOutcome(outcome)} (${commandLine})`);
      },
      (error: unknown) => log.warn({ event: 'notify-failed', what, command: commandLine, error: (error as Error).message }, `${what} failed: ${(error as Error).message}`),
    );
  }
}
