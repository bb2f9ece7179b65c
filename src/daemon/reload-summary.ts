// What a reload did, in the same shape for every subsystem (src/daemon/subsystem.ts): the units it
// left alone, updated in place, restarted, removed and added - VRRP instances today, named as the
// configuration names them. The log, the control socket and `vrrpd reload` show it.

/** What a reload did, for the log, the control socket and `vrrpd reload`. */
export interface ReloadSummary {
  readonly unchanged: readonly string[];
  readonly updated: ReadonlyArray<{ readonly instance: string; readonly changes: readonly string[] }>;
  readonly restarted: ReadonlyArray<{ readonly instance: string; readonly changes: readonly string[] }>;
  readonly removed: readonly string[];
  readonly added: readonly string[];
}

/** One line for the log and the CLI: "unchanged VI_1; updated VI_2 (priority); added VI_3". */
export function describeReload(summary: ReloadSummary): string {
  const parts: string[] = [];
  const list = (label: string, names: readonly string[]): void => {
    if (names.length > 0) parts.push(`${label} ${names.join(', ')}`);
  };
  const withChanges = (entries: ReloadSummary['updated']): string[] => entries.map((e) => `${e.instance} (${e.changes.join(', ')})`);
  list('unchanged', summary.unchanged);
  list('updated', withChanges(summary.updated));
  list('restarted', withChanges(summary.restarted));
  list('removed', summary.removed);
  list('added', summary.added);
  return parts.join('; ') || 'nothing to do';
}
