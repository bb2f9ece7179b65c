// The model back to keepalived keywords: what a configuration has to say so that loading it gives
// this model again. Defaults (DEFAULTS, and what instances inherit from global_defs) are left out,
// so the output reads like a hand-written file. keepalived.ts and yaml.ts render these entries.
import {
  DEFAULTS,
  type GarpConfig,
  type GlobalDefs,
  type NotifyConfig,
  type NotifyScript,
  type TrackerRefConfig,
  type VirtualAddressConfig,
  type VrrpdConfig,
  type VrrpInstanceConfig,
} from '../model.js';
import { routeText, ruleText } from '../route-text.js';

/** `keyword arg... { children }`; children undefined for a line without a block. */
export interface Entry {
  readonly keyword: string;
  readonly args: readonly string[];
  readonly children?: readonly Entry[];
}

const line = (keyword: string, ...args: (string | number)[]): Entry => ({ keyword, args: args.map(String) });
const block = (keyword: string, args: readonly string[], children: readonly Entry[]): Entry => ({ keyword, args, children });
const seconds = (ms: number): string => String(ms / 1000);

export function configEntries(config: VrrpdConfig): Entry[] {
  const entries: Entry[] = [];
  const global = globalEntries(config.global);
  if (global.length > 0) entries.push(block('global_defs', [], global));
  for (const script of config.scripts) {
    const children: Entry[] = [line('script', script.script)];
    if (script.intervalMs !== DEFAULTS.script.intervalMs) children.push(line('interval', seconds(script.intervalMs)));
    if (script.timeoutMs !== script.intervalMs) children.push(line('timeout', seconds(script.timeoutMs)));
    if (script.weight !== 0 || script.reverse) children.push(line('weight', script.weight, ...(script.reverse ? ['reverse'] : [])));
    if (script.rise !== DEFAULTS.script.rise) children.push(line('rise', script.rise));
    if (script.fall !== DEFAULTS.script.fall) children.push(line('fall', script.fall));
    if (script.user !== undefined) children.push(line('user', script.user));
    if (script.initFail) children.push(line('init_fail'));
    entries.push(block('vrrp_script', [script.name], children));
  }
  for (const file of config.trackFiles) {
    const children: Entry[] = [line('file', file.path)];
    if (file.weight !== DEFAULTS.trackFile.weight || file.reverse) children.push(line('weight', file.weight, ...(file.reverse ? ['reverse'] : [])));
    if (file.initFile) children.push(line('init_file', file.initFile.value, ...(file.initFile.overwrite ? ['overwrite'] : [])));
    entries.push(block('track_file', [file.name], children));
  }
  for (const process of config.trackProcesses) {
    const d = DEFAULTS.trackProcess;
    const children: Entry[] = [line('process', process.process, ...process.parameters)];
    if (process.paramMatch !== d.paramMatch) children.push(line('param_match', process.paramMatch));
    if (process.fullCommand) children.push(line('full_command'));
    if (process.weight !== d.weight || process.reverse) children.push(line('weight', process.weight, ...(process.reverse ? ['reverse'] : [])));
    if (process.quorum !== d.quorum) children.push(line('quorum', process.quorum));
    if (process.quorumMax !== undefined) children.push(line('quorum_max', process.quorumMax));
    if (process.forkDelayMs !== d.forkDelayMs) children.push(line('fork_delay', seconds(process.forkDelayMs)));
    if (process.terminateDelayMs !== d.terminateDelayMs) children.push(line('terminate_delay', seconds(process.terminateDelayMs)));
    entries.push(block('vrrp_track_process', [process.name], children));
  }
  for (const instance of config.instances) entries.push(instanceEntry(instance, config.global));
  for (const group of config.syncGroups) {
    const children: Entry[] = [block('group', [], group.members.map((member) => line(member)))];
    children.push(...trackingEntries(group));
    children.push(...notifyEntries(group.notify));
    if (group.trackingWeight) children.push(line('sync_group_tracking_weight'));
    entries.push(block('vrrp_sync_group', [group.name], children));
  }
  for (const group of config.garpGroups ?? []) {
    const children: Entry[] = [];
    if (group.arpIntervalMs !== undefined) children.push(line('garp_interval', seconds(group.arpIntervalMs)));
    if (group.naIntervalMs !== undefined) children.push(line('gna_interval', seconds(group.naIntervalMs)));
    children.push(group.interfaces.length === 1 ? line('interface', group.interfaces[0]!) : block('interfaces', [], group.interfaces.map((name) => line(name))));
    entries.push(block('garp_group', [], children));
  }
  return entries;
}

function globalEntries(global: GlobalDefs): Entry[] {
  const d = DEFAULTS.global;
  const entries: Entry[] = [];
  if (global.routerId !== undefined) entries.push(line('router_id', global.routerId));
  if (global.vrrpVersion !== d.vrrpVersion) entries.push(line('vrrp_version', global.vrrpVersion));
  if (global.mcastGroup4 !== d.mcastGroup4) entries.push(line('vrrp_mcast_group4', global.mcastGroup4));
  if (global.mcastGroup6 !== d.mcastGroup6) entries.push(line('vrrp_mcast_group6', global.mcastGroup6));
  if (global.startupDelayMs !== d.startupDelayMs) entries.push(line('vrrp_startup_delay', seconds(global.startupDelayMs)));
  if (global.strict) entries.push(line('vrrp_strict'));
  if (global.checkUnicastSource) entries.push(line('vrrp_check_unicast_src'));
  if (global.lowerPrioNoAdvert) entries.push(line('vrrp_lower_prio_no_advert'));
  if (global.higherPrioSendAdvert) entries.push(line('vrrp_higher_prio_send_advert'));
  if (global.notifyPriorityChanges) entries.push(line('vrrp_notify_priority_changes'));
  if (global.enableScriptSecurity) entries.push(line('enable_script_security'));
  if (global.scriptUser !== undefined) entries.push(line('script_user', global.scriptUser));
  if (global.notifyFifo !== undefined) entries.push(line('notify_fifo', global.notifyFifo));
  if (global.notifyFifoScript !== undefined) entries.push(line('notify_fifo_script', global.notifyFifoScript, ...(global.notifyFifoScriptUser?.split(' ') ?? [])));
  if (global.maxAutoPriority !== d.maxAutoPriority) entries.push(line('max_auto_priority', global.maxAutoPriority));
  entries.push(...garpEntries(global.garp, DEFAULTS.garp, 'vrrp_', true));
  return entries;
}

/**
 * The garp_* lines that differ from what the block inherits. The lower-priority burst follows
 * garp_master_* in global_defs when unset there, so it is written only when it differs from them.
 */
function garpEntries(garp: GarpConfig, inherited: GarpConfig, prefix: '' | 'vrrp_', isGlobal: boolean): Entry[] {
  const entries: Entry[] = [];
  const lowerDelayDefault = isGlobal ? garp.masterDelayMs : inherited.lowerPrioDelayMs;
  const lowerRepeatDefault = isGlobal ? garp.masterRepeat : inherited.lowerPrioRepeat;
  if (garp.masterDelayMs !== inherited.masterDelayMs) entries.push(line(`${prefix}garp_master_delay`, seconds(garp.masterDelayMs)));
  if (garp.masterRepeat !== inherited.masterRepeat) entries.push(line(`${prefix}garp_master_repeat`, garp.masterRepeat));
  if (garp.masterRefreshMs !== inherited.masterRefreshMs) entries.push(line(`${prefix}garp_master_refresh`, seconds(garp.masterRefreshMs)));
  if (garp.masterRefreshRepeat !== inherited.masterRefreshRepeat) entries.push(line(`${prefix}garp_master_refresh_repeat`, garp.masterRefreshRepeat));
  if (garp.lowerPrioDelayMs !== lowerDelayDefault) entries.push(line(`${prefix}garp_lower_prio_delay`, seconds(garp.lowerPrioDelayMs)));
  if (garp.lowerPrioRepeat !== lowerRepeatDefault) entries.push(line(`${prefix}garp_lower_prio_repeat`, garp.lowerPrioRepeat));
  if (garp.arpIntervalMs !== inherited.arpIntervalMs) entries.push(line(`${prefix}garp_interval`, seconds(garp.arpIntervalMs)));
  if (garp.naIntervalMs !== inherited.naIntervalMs) entries.push(line(`${prefix}gna_interval`, seconds(garp.naIntervalMs)));
  return entries;
}

function instanceEntry(instance: VrrpInstanceConfig, global: GlobalDefs): Entry {
  const d = DEFAULTS.instance;
  const children: Entry[] = [];
  if (instance.initialState !== d.initialState) children.push(line('state', instance.initialState));
  children.push(line('interface', instance.interface));
  children.push(line('virtual_router_id', instance.virtualRouterId));
  if (instance.priority !== d.priority) children.push(line('priority', instance.priority));
  if (instance.advertIntervalMs !== d.advertIntervalMs) children.push(line('advert_int', seconds(instance.advertIntervalMs)));
  // IPv6 instances always run VRRPv3; IPv4 ones follow global_defs unless they say otherwise.
  if (instance.family === 'ipv4' && instance.version !== global.vrrpVersion) children.push(line('version', instance.version));
  if (!instance.preempt) children.push(line('nopreempt'));
  if (instance.preemptDelayMs !== d.preemptDelayMs) children.push(line('preempt_delay', seconds(instance.preemptDelayMs)));
  if (instance.acceptMode !== !global.strict) children.push(line(instance.acceptMode ? 'accept' : 'no_accept'));
  if (instance.unicastSourceIp !== undefined) children.push(line('unicast_src_ip', instance.unicastSourceIp));
  if (instance.multicastSourceIp !== undefined) children.push(line('mcast_src_ip', instance.multicastSourceIp));
  if (instance.unicastPeers.length > 0) {
    children.push(
      block(
        'unicast_peer',
        [],
        instance.unicastPeers.map((peer) =>
          line(peer.address, ...(peer.minTtl !== undefined ? ['min_ttl', peer.minTtl] : []), ...(peer.maxTtl !== undefined ? ['max_ttl', peer.maxTtl] : [])),
        ),
      ),
    );
  }
  if (instance.authentication) {
    children.push(block('authentication', [], [line('auth_type', instance.authentication.type), line('auth_pass', instance.authentication.password)]));
  }
  if (instance.virtualAddresses.length > 0) children.push(block('virtual_ipaddress', [], instance.virtualAddresses.map(addressEntry)));
  if (instance.excludedAddresses.length > 0) children.push(block('virtual_ipaddress_excluded', [], instance.excludedAddresses.map(addressEntry)));
  // One `ip route` / `ip rule` like line each; an entry is a keyword and its words.
  const words = (text: string): Entry => line(...(text.split(' ') as [string, ...string[]]));
  if (instance.virtualRoutes !== undefined) children.push(block('virtual_routes', [], instance.virtualRoutes.map((route) => words(routeText(route)))));
  if (instance.virtualRules !== undefined) children.push(block('virtual_rules', [], instance.virtualRules.map((rule) => words(ruleText(rule)))));
  children.push(...trackingEntries(instance));
  if (instance.dontTrackPrimary) children.push(line('dont_track_primary'));
  children.push(...garpEntries(instance.garp, global.garp, '', false));
  if (instance.lowerPrioNoAdvert !== global.lowerPrioNoAdvert) children.push(line('lower_prio_no_advert', String(instance.lowerPrioNoAdvert)));
  if (instance.higherPrioSendAdvert !== global.higherPrioSendAdvert) children.push(line('higher_prio_send_advert', String(instance.higherPrioSendAdvert)));
  if (instance.useVmac) children.push(line('use_vmac', ...(instance.useVmac.name !== undefined ? [instance.useVmac.name] : [])));
  if (!instance.v3ChecksumWithPseudoHeader) children.push(line('v3_checksum_as_v2'));
  children.push(...notifyEntries(instance.notify));
  if (instance.notifyPriorityChanges !== global.notifyPriorityChanges) children.push(line('notify_priority_changes', String(instance.notifyPriorityChanges)));
  if (instance.debug !== undefined) children.push(line('debug', instance.debug));
  return block('vrrp_instance', [instance.name], children);
}

function addressEntry(address: VirtualAddressConfig): Entry {
  const args: string[] = [];
  if (address.broadcast !== undefined) args.push('brd', address.broadcast);
  if (address.device !== undefined) args.push('dev', address.device);
  if (address.scope !== undefined) args.push('scope', address.scope);
  if (address.label !== undefined) args.push('label', address.label);
  if (address.noDad) args.push('no_dad');
  if (address.noTrack) args.push('no_track');
  return line(`${address.address}/${address.prefixLength}`, ...args);
}

interface Tracking {
  readonly trackInterfaces: VrrpInstanceConfig['trackInterfaces'];
  readonly trackScripts: readonly TrackerRefConfig[];
  readonly trackFiles: readonly TrackerRefConfig[];
  readonly trackProcesses: readonly TrackerRefConfig[];
}

function trackingEntries(tracking: Tracking): Entry[] {
  const entries: Entry[] = [];
  if (tracking.trackInterfaces.length > 0) {
    entries.push(
      block(
        'track_interface',
        [],
        tracking.trackInterfaces.map((tracked) => line(tracked.name, ...(tracked.weight !== 0 ? ['weight', tracked.weight] : []), ...(tracked.reverse ? ['reverse'] : []))),
      ),
    );
  }
  const refs = (keyword: string, list: readonly TrackerRefConfig[]): void => {
    if (list.length === 0) return;
    entries.push(
      block(
        keyword,
        [],
        list.map((ref) =>
          line(ref.name, ...(ref.weight !== undefined ? ['weight', ref.weight] : []), ...(ref.reverse === undefined ? [] : [ref.reverse ? 'reverse' : 'noreverse'])),
        ),
      ),
    );
  };
  refs('track_script', tracking.trackScripts);
  refs('track_file', tracking.trackFiles);
  refs('track_process', tracking.trackProcesses);
  return entries;
}

function notifyEntries(notify: NotifyConfig): Entry[] {
  const entries: Entry[] = [];
  const script = (keyword: string, key: NotifyScript, command: string | undefined): void => {
    if (command === undefined) return;
    const user = notify.users?.[key];
    entries.push(line(keyword, command, ...(user !== undefined ? user.split(' ') : [])));
  };
  script('notify_master', 'master', notify.master);
  script('notify_backup', 'backup', notify.backup);
  script('notify_fault', 'fault', notify.fault);
  script('notify_stop', 'stop', notify.stop);
  script('notify', 'any', notify.any);
  script('notify_master_rx_lower_pri', 'masterRxLowerPri', notify.masterRxLowerPri);
  if (notify.deleted?.script !== undefined) script('notify_deleted', 'deleted', notify.deleted.script);
  else if (notify.deleted !== undefined) entries.push(line('notify_deleted'));
  return entries;
}
