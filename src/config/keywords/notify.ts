// Notify scripts (`notify_master SCRIPT [USER [GROUP]]` and the like) of instances and sync groups:
// each keyword fills one script of the model's NotifyConfig and who runs it.
import type { NotifyConfig, NotifyScript } from '../model.js';
import type { Command } from './kinds.js';

/** keepalived's notify keywords, in the order they are written, and the script each fills. */
export const NOTIFY_KEYWORDS: ReadonlyArray<{ readonly keyword: string; readonly script: Exclude<NotifyScript, 'deleted'> }> = [
  { keyword: 'notify_master', script: 'master' },
  { keyword: 'notify_backup', script: 'backup' },
  { keyword: 'notify_fault', script: 'fault' },
  { keyword: 'notify_stop', script: 'stop' },
  { keyword: 'notify', script: 'any' },
  { keyword: 'notify_master_rx_lower_pri', script: 'masterRxLowerPri' },
];

/** The command of one notify script and who runs it. */
export function notifyCommand(notify: NotifyConfig, script: Exclude<NotifyScript, 'deleted'>): Command | undefined {
  const command = notify[script];
  if (command === undefined) return undefined;
  const user = notify.users?.[script];
  return user !== undefined ? { command, user } : { command };
}

export function withNotifyCommand(notify: NotifyConfig, script: Exclude<NotifyScript, 'deleted'>, value: Command): NotifyConfig {
  return { ...notify, [script]: value.command, ...withUser(notify, script, value.user) };
}

/** `notify_deleted [SCRIPT [USER [GROUP]]]`: present (a removed instance is reported DELETED), with or without a script. */
export function notifyDeleted(notify: NotifyConfig): Partial<Command> | undefined {
  if (notify.deleted === undefined) return undefined;
  const user = notify.users?.deleted;
  return { ...(notify.deleted.script !== undefined ? { command: notify.deleted.script } : {}), ...(user !== undefined ? { user } : {}) };
}

export function withNotifyDeleted(notify: NotifyConfig, value: Partial<Command>): NotifyConfig {
  return { ...notify, deleted: value.command !== undefined ? { script: value.command } : {}, ...withUser(notify, 'deleted', value.user) };
}

function withUser(notify: NotifyConfig, script: NotifyScript, user: string | undefined): Pick<NotifyConfig, 'users'> {
  return user !== undefined ? { users: { ...notify.users, [script]: user } } : {};
}
