// Reload: which running instances the new configuration keeps, changes, replaces, drops or adds.
// Instances are matched as keepalived matches them on SIGHUP: by VRID, address family, interface,
// unicast source and mode (unicast or multicast), never by name, so a renamed instance keeps its
// state and a Master stays Master. Pure: the daemon applies the plan.
import type { ReloadSummary } from '../reload-summary.js';
import type { RouterBinding } from './binding.js';

/** What identifies a virtual router across a reload (keepalived's vrrp_exist). */
export function instanceKey(binding: RouterBinding): string {
  const { router } = binding;
  const mode = router.unicastPeers.length > 0 ? 'unicast' : 'multicast';
  return [router.vrid, router.family, binding.interfaceName, binding.unicastSource ?? '-', mode].join('|');
}

/**
 * Settings a running router cannot take on in place: the owner (priority 255) follows other rules
 * (RFC 5798 §6.4.1), and the multicast group or v2 interoperation change the socket the router
 * listens on. A new version is taken in place, as keepalived 2.2.7 does (a Master stays Master and
 * advertises in the new version at once): a v2 to v3 migration moves no VIP.
 */
const RESTART_FIELDS = ['owner', 'multicastGroup', 'v2Interop'] as const;

export interface KeptInstance {
  /** The running instance's name (the map key before the reload). */
  readonly previous: string;
  readonly next: RouterBinding;
  /** What differs, by setting name; empty when unchanged. */
  readonly changes: readonly string[];
}

export interface ReloadPlan {
  /** Matched and identical: left alone, no transition, no gap in advertisements. */
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
    const changes = changedSettings(previous, binding);
    const kept = { previous: previous.router.name, next: binding, changes };
    if (changes.length === 0) unchanged.push(kept);
    else if (changes.some((change) => (RESTART_FIELDS as readonly string[]).includes(change))) restarted.push(kept);
    else updated.push(kept);
  }
  return { unchanged, updated, restarted, removed: [...byKey.values()].map((binding) => binding.router.name), added };
}

/** The settings that differ between two bindings of the same virtual router, sorted by name. */
export function changedSettings(previous: RouterBinding, next: RouterBinding): string[] {
  const settings = (binding: RouterBinding): Record<string, unknown> => {
    const { router } = binding;
    return {
      ...router,
      owner: router.priority === 255,
      destinations: binding.destinations,
      addresses: binding.addresses,
      // virtual_routes / virtual_rules: a Master installs added ones and removes dropped ones in place.
      routes: binding.routes ?? [],
      rules: binding.rules ?? [],
      // Unicast instances join no group: the multicast group does not concern them.
      multicastGroup: router.unicastPeers.length > 0 ? undefined : binding.multicastGroup,
    };
  };
  const before = settings(previous);
  const after = settings(next);
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => JSON.stringify(before[name]) !== JSON.stringify(after[name])).sort();
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
