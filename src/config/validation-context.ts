// What every check needs: the configuration, where to report, and its definitions by name.
import type { IssueSink } from './issues.js';
import type { BfdInstanceConfig, SyncGroupConfig, TrackFileConfig, TrackProcessConfig, TrackScriptConfig, VrrpdConfig, VrrpInstanceConfig } from './model.js';

export interface ValidationContext {
  readonly config: VrrpdConfig;
  readonly report: IssueSink;
  readonly scripts: ReadonlyMap<string, TrackScriptConfig>;
  readonly trackFiles: ReadonlyMap<string, TrackFileConfig>;
  readonly trackProcesses: ReadonlyMap<string, TrackProcessConfig>;
  /** The bfd_instances VRRP hears of (keepalived: not those written `checker` alone). */
  readonly bfdInstances: ReadonlyMap<string, BfdInstanceConfig>;
  readonly instances: ReadonlyMap<string, VrrpInstanceConfig>;
  /** The sync group an instance is in (the first one, if a configuration lists it in several). */
  readonly syncGroupOf: ReadonlyMap<string, SyncGroupConfig>;
}

export function validationContext(config: VrrpdConfig, report: IssueSink): ValidationContext {
  const syncGroupOf = new Map<string, SyncGroupConfig>();
  for (const group of config.syncGroups) {
    for (const member of group.members) if (!syncGroupOf.has(member)) syncGroupOf.set(member, group);
  }
  return {
    config,
    report,
    scripts: firstByName(config.scripts),
    trackFiles: firstByName(config.trackFiles),
    trackProcesses: firstByName(config.trackProcesses),
    bfdInstances: firstByName((config.bfdInstances ?? []).filter((bfd) => bfd.notifies.vrrp)),
    instances: firstByName(config.instances),
    syncGroupOf,
  };
}

/** Duplicates are reported elsewhere; references resolve to the first definition. */
function firstByName<T extends { readonly name: string }>(items: readonly T[]): Map<string, T> {
  const byName = new Map<string, T>();
  for (const item of items) if (!byName.has(item.name)) byName.set(item.name, item);
  return byName;
}

/** Model milliseconds as the seconds keepalived.conf is written in: 1500 -> "1.5 s". */
export function secondsText(ms: number): string {
  return `${ms / 1000} s`;
}
