// keepalived 2.2's defaults, in model units, as the keyword registry declares them with each
// field: what a block's fields hold when its keywords say nothing. Loaders start from the same
// declarations; code that builds models itself (ipfailover, tests) starts from these.
import type { GarpConfig, GlobalDefs, SyncGroupConfig, TrackFileConfig, TrackProcessConfig, TrackScriptConfig, VrrpInstanceConfig } from './model.js';
import { TRACKED_INTERFACE_WEIGHT } from './keywords/entries.js';
import { GLOBAL_DEFS } from './keywords/global-defs.js';
import { completeModel, newModel, type BlockType } from './keywords/registry.js';
import { TRACK_FILE } from './keywords/track-file.js';
import { VRRP_INSTANCE } from './keywords/vrrp-instance.js';
import { VRRP_SCRIPT } from './keywords/vrrp-script.js';
import { VRRP_SYNC_GROUP } from './keywords/vrrp-sync-group.js';
import { VRRP_TRACK_PROCESS } from './keywords/vrrp-track-process.js';

/** What a vrrp_instance does not say; its version comes from global_defs and its family from its addresses. */
export type InstanceDefaults = Pick<
  VrrpInstanceConfig,
  | 'priority'
  | 'advertIntervalMs'
  | 'initialState'
  | 'preempt'
  | 'preemptDelayMs'
  | 'acceptMode'
  | 'dontTrackPrimary'
  | 'lowerPrioNoAdvert'
  | 'higherPrioSendAdvert'
  | 'notifyPriorityChanges'
  | 'v3ChecksumWithPseudoHeader'
  | 'v2Interop'
>;

/** A vrrp_script's defaults; its timeout defaults to its interval. */
export type ScriptDefaults = Pick<TrackScriptConfig, 'intervalMs' | 'weight' | 'reverse' | 'rise' | 'fall' | 'initFail'>;
export type TrackFileDefaults = Pick<TrackFileConfig, 'weight' | 'reverse'>;
export type TrackProcessDefaults = Pick<
  TrackProcessConfig,
  'parameters' | 'paramMatch' | 'fullCommand' | 'weight' | 'reverse' | 'quorum' | 'forkDelayMs' | 'terminateDelayMs'
>;

export interface Defaults {
  readonly global: GlobalDefs;
  readonly garp: GarpConfig;
  readonly instance: InstanceDefaults;
  readonly script: ScriptDefaults;
  readonly trackFile: TrackFileDefaults;
  readonly trackProcess: TrackProcessDefaults;
  /** `track_interface` entry without a weight. */
  readonly trackedInterfaceWeight: number;
  readonly syncGroup: Pick<SyncGroupConfig, 'trackingWeight'>;
}

/**
 * The fields' own defaults (values, and what they inherit from `context`); defaults computed
 * from other fields once a block is read (a script's timeout) are left to the loaders.
 */
function defaultsOf<M, C>(type: BlockType<M, C>, context: C): Partial<M> {
  return newModel({ ...type, create: () => ({}) as M }, '', context);
}

/** An empty global_defs: every global setting, the lower-priority burst copying the master burst. */
const global: GlobalDefs = (() => {
  const model = newModel(GLOBAL_DEFS, '', undefined);
  completeModel(GLOBAL_DEFS, model, undefined, new Set());
  return model;
})();

// The registry declares each of these fields' defaults; the types say which fields callers rely on.
export const DEFAULTS: Defaults = {
  global,
  garp: global.garp,
  instance: defaultsOf(VRRP_INSTANCE, global) as InstanceDefaults,
  script: defaultsOf(VRRP_SCRIPT, global) as ScriptDefaults,
  trackFile: defaultsOf(TRACK_FILE, global) as TrackFileDefaults,
  trackProcess: defaultsOf(VRRP_TRACK_PROCESS, global) as TrackProcessDefaults,
  trackedInterfaceWeight: TRACKED_INTERFACE_WEIGHT,
  syncGroup: defaultsOf(VRRP_SYNC_GROUP, global) as Pick<SyncGroupConfig, 'trackingWeight'>,
};
