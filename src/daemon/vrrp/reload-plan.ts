// Reload: which running instances the new configuration keeps, changes, replaces, drops or adds.
// Instances are matched as keepalived matches them on SIGHUP: by VRID, address family, interface,
// unicast source and mode (unicast or multicast), never by name, so a renamed instance keeps its
// state and a Master stays Master. What a kept instance's changes need (taken in place, or a
// restart) is declared with each field in the keyword registry (config/keywords/). Pure: the
// daemon applies the plan.
import { instanceChanges, type SettingChange } from '../../config/keywords/reload.js';
import type { ReloadSummary } from '../reload-summary.js';
import type { RouterBinding } from './binding.js';

/** What identifies a virtual router across a reload (keepalived's vrrp_exist). */
export function instanceKey(binding: RouterBinding): string {
  const { router } = binding;
  const mode = router.unicastPeers.length > 0 ? 'unicast' : 'multicast';
  return [router.vrid, router.family, binding.interfaceName, binding.unicastSource ?? '-', mode].join('|');
}

export interface KeptInstance {
  /** The running instance's name (the map key before the reload). */
  readonly previous: string;
  readonly next: RouterBinding;
  /** The keepalived keywords whose change the running router takes or restarts for, sorted; empty when none. */
  readonly changes: readonly string[];
}

export interface ReloadPlan {
  /** Matched, with nothing the running router uses changed: left alone, no transition, no gap in advertisements. */
  readonly unchanged: readonly KeptInstance[];
  /** Matched with changes the protocol lets a running router take on (priority, interval, VIPs...). */
  readonly updated: readonly KeptInstance[];
  /** Matched, but a change needs a stop (priority 0 if Master) and a fresh start. */
  readonly restarted: readonly KeptInstance[];
  /** Running instances the new configuration no longer has: stopped as on shutdown. */
  readonly removed: readonly string[];
  /** New instances: started. */
  readonly added: readonly RouterBinding[];
}

export function planReload(running: readonly RouterBinding[], next: readonly RouterBinding[]): ReloadPlan {
  const byKey = new Map<string, RouterBinding>();
  for (const binding of running) byKey.set(instanceKey(binding), binding);
  const unchanged: KeptInstance[] = [];
  const updated: KeptInstance[] = [];
  const restarted: KeptInstance[] = [];
  const added: RouterBinding[] = [];
  for (const binding of next) {
    const key = instanceKey(binding);
    const previous = byKey.get(key);
    if (!previous) {
      added.push(binding);
      continue;
    }
    byKey.delete(key);
    const changes = runningChanges(previous, binding);
    const kept = { previous: previous.router.name, next: binding, changes: names(changes) };
    if (changes.length === 0) unchanged.push(kept);
    else if (changes.some((change) => change.effect === 'restart')) restarted.push(kept);
    else updated.push(kept);
  }
  return { unchanged, updated, restarted, removed: [...byKey.values()].map((binding) => binding.router.name), added };
}

/** The settings a running router takes in place or restarts for, by keepalived keyword, sorted. */
export function changedSettings(previous: RouterBinding, next: RouterBinding): string[] {
  return names(runningChanges(previous, next));
}

/**
 * Changes to what the running router uses. The others wait for the next start, are taken by what
 * every reload rebuilds (tracking, notify scripts, pacing), or are not used while running.
 */
function runningChanges(previous: RouterBinding, next: RouterBinding): SettingChange[] {
  return instanceChanges(previous, next).filter((change) => change.effect === 'in-place' || change.effect === 'restart');
}

function names(changes: readonly SettingChange[]): string[] {
  return [...new Set(changes.map((change) => change.name))].sort();
}

export function summarise(plan: ReloadPlan): ReloadSummary {
  const named = (kept: KeptInstance) => ({ instance: kept.next.router.name, changes: kept.changes });
  return {
    unchanged: plan.unchanged.map((kept) => kept.next.router.name),
    updated: plan.updated.map(named),
    restarted: plan.restarted.map(named),
    removed: plan.removed,
    added: plan.added.map((binding) => binding.router.name),
  };
}
