// Gratuitous ARP / unsolicited NA timing, said in global_defs as `vrrp_garp_*` (defaults for every
// instance) and in a vrrp_instance as `garp_*`: one table for both block types.
import type { GarpConfig } from '../model.js';
import type { ReloadEffect } from './registry.js';
import { integer, seconds } from './kinds.js';
import type { Kind } from './registry.js';

export interface GarpSetting {
  /** The instance keyword; global_defs says it with `vrrp_` in front. */
  readonly keyword: string;
  readonly field: keyof GarpConfig;
  readonly kind: Kind<number>;
  /** global_defs' default: a value, or (lower_prio_*) the master burst setting it copies when unset. */
  readonly globalDefault: number | { readonly copies: keyof GarpConfig };
  /** What a running instance does when its value changes. */
  readonly reload: ReloadEffect;
}

export const GARP_SETTINGS: readonly GarpSetting[] = [
  { keyword: 'garp_master_delay', field: 'masterDelayMs', kind: seconds(3600), globalDefault: 5000, reload: 'in-place' },
  { keyword: 'garp_master_repeat', field: 'masterRepeat', kind: integer(1, 255), globalDefault: 5, reload: 'in-place' },
  { keyword: 'garp_master_refresh', field: 'masterRefreshMs', kind: seconds(86_400), globalDefault: 0, reload: 'in-place' },
  { keyword: 'garp_master_refresh_repeat', field: 'masterRefreshRepeat', kind: integer(1, 255), globalDefault: 1, reload: 'in-place' },
  // keepalived: the lower-priority burst copies garp_master_delay / garp_master_repeat; vrrpd sends none.
  { keyword: 'garp_lower_prio_delay', field: 'lowerPrioDelayMs', kind: seconds(3600), globalDefault: { copies: 'masterDelayMs' }, reload: 'unused' },
  { keyword: 'garp_lower_prio_repeat', field: 'lowerPrioRepeat', kind: integer(0, 255), globalDefault: { copies: 'masterRepeat' }, reload: 'unused' },
  // Pacing per interface, configured afresh at every reload.
  { keyword: 'garp_interval', field: 'arpIntervalMs', kind: seconds(1), globalDefault: 0, reload: 'rebuilt' },
  { keyword: 'gna_interval', field: 'naIntervalMs', kind: seconds(1), globalDefault: 0, reload: 'rebuilt' },
];
