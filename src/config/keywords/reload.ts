// What a reload changes in a running instance, by field, as the registry declares each field's
// reload effect (registry.ts, ReloadEffect): values are compared as a running router sees them
// (core/equal), and a change is named by the keepalived keyword operators write.
import { equalValues } from '../../core/equal.js';
import type { GlobalDefs, VrrpInstanceConfig } from '../model.js';
import { GLOBAL_DEFS } from './global-defs.js';
import { fieldsOf, type ReloadEffect } from './registry.js';
import { VRRP_INSTANCE } from './vrrp-instance.js';

/** An instance's configuration: its block and the global_defs it inherits from. */
export interface InstanceSettings {
  readonly instance: VrrpInstanceConfig;
  readonly global: GlobalDefs;
}

export interface SettingChange {
  /** The keepalived keyword (`priority`, `advert_int`, `vrrp_mcast_group4`), or the field's name when no keyword fills it. */
  readonly name: string;
  readonly effect: ReloadEffect;
}

/** Each setting that differs between two configurations of one instance, with its effect, in registry order. */
export function instanceChanges(before: InstanceSettings, after: InstanceSettings): SettingChange[] {
  const changes: SettingChange[] = [];
  for (const field of fieldsOf(VRRP_INSTANCE)) {
    const previous = field.get(before.instance);
    const next = field.get(after.instance);
    if (equalValues(field.reload.seen(previous, before.instance), field.reload.seen(next, after.instance))) continue;
    changes.push({ name: field.name ?? keywordOf(VRRP_INSTANCE.keywords, field) ?? field.path, effect: field.reload.effect(previous, next) });
  }
  for (const use of VRRP_INSTANCE.uses ?? []) {
    if (!use.concerns(after.instance) || equalValues(use.field.get(before.global), use.field.get(after.global))) continue;
    changes.push({ name: keywordOf(GLOBAL_DEFS.keywords, use.field) ?? use.field.path, effect: use.effect });
  }
  return changes;
}

function keywordOf(keywords: ReadonlyArray<{ readonly name: string; readonly field: unknown }>, field: unknown): string | undefined {
  return keywords.find((keyword) => keyword.field === field)?.name;
}
