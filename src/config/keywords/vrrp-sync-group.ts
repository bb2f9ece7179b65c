// `vrrp_sync_group NAME { ... }`: instances that change state together, with tracking and notify
// scripts of their own.
import type { GlobalDefs, SyncGroupConfig } from '../model.js';
import { declare } from './define.js';
import { trackedInterfaces, trackerRefs } from './entries.js';
import { command, names, present, unimplemented, lazyKeywords } from './kinds.js';
import { NOTIFY_KEYWORDS, notifyCommand, withNotifyCommand } from './notify.js';
import type { BlockType } from './registry.js';

const { keyword, key, field, accepted } = declare<SyncGroupConfig, GlobalDefs>();

// Made at the first block read or written (lazyKeywords): a configuration without one never
// reads them, and making them cost every daemon's start before its first advertisement.
const vrrpSyncGroupKeywords = lazyKeywords<SyncGroupConfig, GlobalDefs>(() => [
  keyword('group', names('group member', [['VI_1', 'VI_2']]), key('members'), { write: 'always' }),
  keyword('track_interface', trackedInterfaces, key('trackInterfaces', { default: [] }), { yaml: { aliases: ['trackInterfaces'] } }),
  keyword('track_script', trackerRefs(253, [[{ name: 'chk_api', weight: 30 }]]), key('trackScripts', { default: [] }), { yaml: { aliases: ['trackScripts'] } }),
  keyword('track_file', trackerRefs(254, [[{ name: 'maintenance', reverse: false }]]), key('trackFiles', { default: [] }), { yaml: { aliases: ['trackFiles'] } }),
  keyword('track_process', trackerRefs(254, [[{ name: 'haproxy', weight: 2 }]]), key('trackProcesses', { default: [] }), { yaml: { aliases: ['trackProcesses'] } }),
  keyword('track_bfd', trackerRefs(253, [[{ name: 'upstream' }]]), key('trackBfd', { default: [] }), { yaml: { aliases: ['trackBfd'] } }),
  // GROUP is passed to the scripts instead of INSTANCE; sync groups have no notify_master_rx_lower_pri.
  ...NOTIFY_KEYWORDS.filter(({ script }) => script !== 'masterRxLowerPri').map(({ keyword: name, script }) =>
    keyword(name, command, field('notify', (group) => notifyCommand(group.notify, script), (group, value) => void (group.notify = withNotifyCommand(group.notify, script, value!)))),
  ),
  // Members may keep weighted trackers (keepalived otherwise drops their weights).
  keyword('sync_group_tracking_weight', present(true), key('trackingWeight', { default: false })),
  accepted('smtp_alert', unimplemented(() => 'smtp_alert: SMTP is not part of vrrpd; ignored'), { yaml: false }),
]);

export const VRRP_SYNC_GROUP: BlockType<SyncGroupConfig, GlobalDefs> = {
  keyword: 'vrrp_sync_group',
  aliases: [],
  collection: 'syncGroups',
  naming: 'named',
  yaml: { kind: 'named', key: 'syncGroups', aliases: ['vrrpSyncGroups'], what: (name) => `syncGroups.${name}` },
  create: (name) => ({ name, members: [], notify: {} }) as unknown as SyncGroupConfig,
  fields: [],
  get keywords() {
    return vrrpSyncGroupKeywords();
  },
};
