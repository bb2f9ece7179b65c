// keepalived.conf onto the configuration model: the VRRP half of keepalived 2.2's keywords, with
// keepalived's defaults and semantics. Blocks vrrpd does not implement (LVS, BFD, SMTP...) are
// warned about once each; misspelt keywords get a "did you mean"; nothing is silently dropped.
import type { ConfigIssue, SourceLocation } from '../issues.js';
import { locateIssues } from '../issues.js';
import {
  DEFAULTS,
  type GarpConfig,
  type GarpGroupConfig,
  type GlobalDefs,
  type NotifyConfig,
  type NotifyScript,
  type SyncGroupConfig,
  type TrackedInterfaceConfig,
  type TrackedScriptRefConfig,
  type TrackFileConfig,
  type TrackProcessConfig,
  type TrackScriptConfig,
  type UnicastPeerConfig,
  type VirtualAddressConfig,
  type VrrpdConfig,
  type VrrpInstanceConfig,
} from '../model.js';
import { MAX_TRACK_FILE_WEIGHT } from '../limits.js';
import { parseAddressWithPrefix, validateConfig } from '../validate.js';
import { nearest } from '../suggest.js';
import { parseKeepalivedFile, parseKeepalivedText, type ParseOptions, type ParseResult, type Statement } from './syntax.js';
import { LoadContext } from './values.js';
import { readRoutes, readRules, withFamily, type Draft } from './routes.js';
import type { VirtualRouteConfig, VirtualRuleConfig } from '../model.js';

export interface LoadResult {
  /** The model as far as it could be read; use it only when `issues` has no error. */
  readonly config: VrrpdConfig;
  readonly issues: readonly ConfigIssue[];
  readonly files: readonly string[];
  /** Where each model path was read, for checks made after loading (the host's interfaces). */
  readonly sourceMap?: ReadonlyMap<string, SourceLocation>;
}

export function loadKeepalivedConfig(path: string, options: ParseOptions = {}): LoadResult {
  return load(parseKeepalivedFile(path, options));
}

export function loadKeepalivedText(text: string, name: string, options: ParseOptions = {}): LoadResult {
  return load(parseKeepalivedText(text, name, options));
}

/** Statements from another syntax (the YAML loader) through the same keywords and checks. */
export function loadStatements(parsed: ParseResult): LoadResult {
  return load(parsed);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Top-level blocks of keepalived that are not VRRP: recognised, reported, ignored. */
const NOT_IMPLEMENTED_BLOCKS: Record<string, string> = {
  virtual_server: 'LVS virtual servers are not part of vrrpd',
  virtual_server_group: 'LVS virtual servers are not part of vrrpd',
  real_server: 'LVS real servers are not part of vrrpd',
  bfd_instance: 'BFD is not implemented by vrrpd',
  linkbeat_interfaces: 'linkbeat is not implemented; vrrpd follows link state through netlink',
  static_ipaddress: 'static addresses are not managed by vrrpd',
  static_routes: 'static routes are not managed by vrrpd',
  static_rules: 'static rules are not managed by vrrpd',
  net_namespace: 'keepalived network namespaces are not supported; run vrrpd inside the namespace',
};

/** global_defs keywords for keepalived's other halves (LVS, SMTP, SNMP, D-Bus...). */
const IGNORED_GLOBAL_KEYWORDS = new Set([
  'notification_email', 'notification_email_from', 'smtp_server', 'smtp_helo', 'smtp_connect_timeout', 'smtp_alert',
  'smtp_alert_vrrp', 'smtp_alert_checker', 'lvs_id', 'lvs_sync_daemon', 'lvs_flush', 'lvs_flush_onstop', 'lvs_timeouts',
  'lvs_notify_fifo', 'lvs_notify_fifo_script', 'enable_snmp_vrrp', 'enable_snmp_keepalived', 'enable_snmp_checker',
  'enable_snmp_rfc', 'enable_snmp_rfcv2', 'enable_snmp_rfcv3', 'enable_traps', 'snmp_socket', 'enable_dbus',
  'dynamic_interfaces', 'process_names', 'process_name', 'vrrp_process_name', 'checker_process_name', 'bfd_process_name',
  'checker_priority', 'bfd_priority', 'vrrp_priority', 'checker_no_swap', 'bfd_no_swap', 'vrrp_no_swap',
  'checker_rt_priority', 'bfd_rt_priority', 'vrrp_rt_priority', 'vrrp_cpu_affinity', 'checker_cpu_affinity',
  'vrrp_netlink_cmd_rcv_bufs', 'vrrp_netlink_monitor_rcv_bufs', 'vrrp_rx_bufs_policy', 'vrrp_rx_bufs_multiplier',
  'vrrp_skip_check_adv_addr', 'vrrp_garp_extra_if', 'vrrp_min_garp', 'no_email_faults', 'linkbeat_use_polling',
  'instance', 'use_pid_dir', 'script_group', 'vrrp_iptables', 'vrrp_ipsets', 'vrrp_nftables', 'nftables_priority',
]);

function load(parsed: ParseResult): LoadResult {
  const ctx = new LoadContext();
  const syntaxIssues: ConfigIssue[] = parsed.problems.map((problem) => ({
    severity: problem.severity,
    path: 'syntax',
    message: problem.message,
    location: problem.location,
  }));

  const globals = parsed.statements.filter((s) => s.keyword.text === 'global_defs');
  const global = readGlobal(globals, ctx);
  const scripts: TrackScriptConfig[] = [];
  const trackFiles: TrackFileConfig[] = [];
  const trackProcesses: TrackProcessConfig[] = [];
  const instances: VrrpInstanceConfig[] = [];
  const syncGroups: SyncGroupConfig[] = [];
  const garpGroups: GarpGroupConfig[] = [];
  const reported = new Set<string>();

  for (const statement of parsed.statements) {
    const keyword = statement.keyword.text;
    if (keyword === 'global_defs') continue;
    if (keyword === 'vrrp_script') {
      const script = readScript(statement, ctx);
      if (script) scripts.push(script);
    } else if (keyword === 'track_file' || keyword === 'vrrp_track_file') {
      // vrrp_track_file is keepalived's older name for the same block.
      const file = readTrackFile(statement, ctx);
      if (file) trackFiles.push(file);
    } else if (keyword === 'vrrp_track_process') {
      const tracked = readTrackProcess(statement, ctx);
      if (tracked) trackProcesses.push(tracked);
    } else if (keyword === 'vrrp_instance') {
      const instance = readInstance(statement, global, ctx);
      if (instance) instances.push(instance);
    } else if (keyword === 'vrrp_sync_group') {
      const group = readSyncGroup(statement, ctx);
      if (group) syncGroups.push(group);
    } else if (keyword === 'garp_group') {
      const group = readGarpGroup(statement, garpGroups.length, ctx);
      if (group) garpGroups.push(group);
    } else if (NOT_IMPLEMENTED_BLOCKS[keyword] !== undefined) {
      // Once per kind of block: a config with 200 virtual_servers needs one line, not 200.
      if (!reported.has(keyword)) ctx.warning(statement.keyword, keyword, `${keyword}: ${NOT_IMPLEMENTED_BLOCKS[keyword]}; ignored`);
      reported.add(keyword);
    } else {
      const known = ['global_defs', 'vrrp_script', 'track_file', 'vrrp_track_file', 'vrrp_track_process', 'vrrp_instance', 'vrrp_sync_group', 'garp_group'];
      unknownKeyword(statement, keyword, [...known, ...Object.keys(NOT_IMPLEMENTED_BLOCKS)], ctx);
    }
  }

  const config: VrrpdConfig = { global, instances, scripts, trackFiles, trackProcesses, syncGroups, ...(garpGroups.length > 0 ? { garpGroups } : {}) };
  const validation = locateIssues(validateConfig(config), ctx.sourceMap);
  return { config, issues: [...syntaxIssues, ...ctx.issues, ...validation], files: parsed.files, sourceMap: ctx.sourceMap };
}

function unknownKeyword(statement: Statement, path: string, known: Iterable<string>, ctx: LoadContext): void {
  const suggestion = nearest(statement.keyword.text, known);
  ctx.warning(
    statement.keyword,
    path,
    `unknown keyword "${statement.keyword.text}"${suggestion ? ` (did you mean ${suggestion}?)` : ''}; ignored`,
  );
}

function blockOf(statement: Statement, ctx: LoadContext, path: string): readonly Statement[] {
  if (statement.children === undefined) {
    ctx.error(statement.keyword, path, `${statement.keyword.text} needs a { ... } block`);
    return [];
  }
  return statement.children;
}

/** A block of one name a line (`group { VI_1 VI_2 }`, `interfaces { eth0 eth1 }`), each located at `path[i]`. */
function namesOf(statement: Statement, ctx: LoadContext, path: string): string[] {
  const entries = blockOf(statement, ctx, path);
  entries.forEach((entry, index) => ctx.sourceMap.set(`${path}[${index}]`, entry.keyword.location));
  return entries.map((entry) => entry.keyword.text);
}

// ---- global_defs ----

function readGlobal(statements: readonly Statement[], ctx: LoadContext): GlobalDefs {
  const global: Mutable<GlobalDefs> = { ...DEFAULTS.global };
  // NaN until set: keepalived's lower-priority burst defaults to the master burst settings.
  const garp: Mutable<GarpConfig> = { ...DEFAULTS.garp, lowerPrioDelayMs: NaN, lowerPrioRepeat: NaN };
  const handlers: Record<string, (s: Statement) => void> = {
    router_id: (s) => assign(global, 'routerId', ctx.argument(s, 'global.routerId', 'a name')?.text),
    vrrp_version: (s) => assign(global, 'vrrpVersion', version(ctx.integer(s, 'global.vrrpVersion', 2, 3))),
    vrrp_mcast_group4: (s) => assign(global, 'mcastGroup4', ctx.argument(s, 'global.mcastGroup4', 'an IPv4 multicast address')?.text),
    vrrp_mcast_group6: (s) => assign(global, 'mcastGroup6', ctx.argument(s, 'global.mcastGroup6', 'an IPv6 multicast address')?.text),
    vrrp_startup_delay: (s) => assign(global, 'startupDelayMs', ctx.seconds(s, 'global.startupDelayMs', 3600)),
    vrrp_strict: (s) => {
      assign(global, 'strict', ctx.flag(s, 'global.strict'));
      if (global.strict) ctx.warning(s.keyword, 'global.strict', 'vrrp_strict: vrrpd applies its protocol rules (no_accept, no unicast, VRRPv2 auth off) but installs no firewall rules');
    },
    // keepalived's firewall integration: vrrpd manages no iptables/nftables rules.
    ...Object.fromEntries(
      ['vrrp_iptables', 'vrrp_ipsets', 'vrrp_nftables', 'nftables_priority'].map((keyword) => [
        keyword,
        (s: Statement) => ctx.warning(s.keyword, 'global', `${keyword}: vrrpd installs no firewall rules; ignored (accept VRRP, protocol 112, and filter the VIPs yourself)`),
      ]),
    ),
    vrrp_check_unicast_src: (s) => assign(global, 'checkUnicastSource', ctx.flag(s, 'global.checkUnicastSource')),
    vrrp_lower_prio_no_advert: (s) => assign(global, 'lowerPrioNoAdvert', ctx.flag(s, 'global.lowerPrioNoAdvert')),
    vrrp_higher_prio_send_advert: (s) => assign(global, 'higherPrioSendAdvert', ctx.flag(s, 'global.higherPrioSendAdvert')),
    vrrp_notify_priority_changes: (s) => assign(global, 'notifyPriorityChanges', ctx.flag(s, 'global.notifyPriorityChanges')),
    enable_script_security: (s) => assign(global, 'enableScriptSecurity', ctx.flag(s, 'global.enableScriptSecurity')),
    // `script_user USER [GROUP]`.
    script_user: (s) => assign(global, 'scriptUser', userAndGroup(s, 'global.scriptUser', ctx)),
    notify_fifo: (s) => assign(global, 'notifyFifo', ctx.argument(s, 'global.notifyFifo', 'a FIFO path')?.text),
    vrrp_notify_fifo: (s) => assign(global, 'notifyFifo', ctx.argument(s, 'global.notifyFifo', 'a FIFO path')?.text),
    notify_fifo_script: (s) => fifoScript(global, s, ctx),
    vrrp_notify_fifo_script: (s) => fifoScript(global, s, ctx),
    // Without a value keepalived takes the highest realtime priority.
    max_auto_priority: (s) => assign(global, 'maxAutoPriority', s.args[0] ? ctx.integer(s, 'global.maxAutoPriority', -1, 99) : 99),
    ...garpHandlers(garp, 'global.garp', 'vrrp_', ctx),
  };
  for (const block of statements) {
    ctx.locate('global', block);
    for (const statement of blockOf(block, ctx, 'global')) {
      const handler = handlers[statement.keyword.text];
      if (handler) handler(statement);
      else if (!IGNORED_GLOBAL_KEYWORDS.has(statement.keyword.text)) {
        unknownKeyword(statement, 'global', [...Object.keys(handlers), ...IGNORED_GLOBAL_KEYWORDS], ctx);
      }
    }
  }
  if (Number.isNaN(garp.lowerPrioDelayMs)) garp.lowerPrioDelayMs = garp.masterDelayMs;
  if (Number.isNaN(garp.lowerPrioRepeat)) garp.lowerPrioRepeat = garp.masterRepeat;
  return { ...global, garp };
}

function garpHandlers(garp: Mutable<GarpConfig>, path: string, prefix: '' | 'vrrp_', ctx: LoadContext): Record<string, (s: Statement) => void> {
  return {
    [`${prefix}garp_master_delay`]: (s) => assign(garp, 'masterDelayMs', ctx.seconds(s, `${path}.masterDelayMs`, 3600)),
    [`${prefix}garp_master_repeat`]: (s) => assign(garp, 'masterRepeat', ctx.integer(s, `${path}.masterRepeat`, 1, 255)),
    [`${prefix}garp_master_refresh`]: (s) => assign(garp, 'masterRefreshMs', ctx.seconds(s, `${path}.masterRefreshMs`, 86_400)),
    [`${prefix}garp_master_refresh_repeat`]: (s) => assign(garp, 'masterRefreshRepeat', ctx.integer(s, `${path}.masterRefreshRepeat`, 1, 255)),
    [`${prefix}garp_lower_prio_delay`]: (s) => assign(garp, 'lowerPrioDelayMs', ctx.seconds(s, `${path}.lowerPrioDelayMs`, 3600)),
    [`${prefix}garp_lower_prio_repeat`]: (s) => assign(garp, 'lowerPrioRepeat', ctx.integer(s, `${path}.lowerPrioRepeat`, 0, 255)),
    [`${prefix}garp_interval`]: (s) => assign(garp, 'arpIntervalMs', ctx.seconds(s, `${path}.arpIntervalMs`, 1)),
    [`${prefix}gna_interval`]: (s) => assign(garp, 'naIntervalMs', ctx.seconds(s, `${path}.naIntervalMs`, 1)),
  };
}

// ---- vrrp_script ----

function readScript(statement: Statement, ctx: LoadContext): TrackScriptConfig | undefined {
  const name = ctx.argument(statement, 'scripts', 'a name')?.text;
  if (name === undefined) return undefined;
  const path = `scripts[${name}]`;
  ctx.locate(path, statement);
  const script: Mutable<TrackScriptConfig> = { name, script: '', ...DEFAULTS.script, timeoutMs: NaN };
  const handlers: Record<string, (s: Statement) => void> = {
    script: (s) => assign(script, 'script', s.args.map((word) => word.text).join(' ') || ctx.argument(s, `${path}.script`, 'a command')?.text),
    interval: (s) => assign(script, 'intervalMs', ctx.seconds(s, `${path}.intervalMs`, 86_400)),
    timeout: (s) => assign(script, 'timeoutMs', ctx.seconds(s, `${path}.timeoutMs`, 86_400)),
    weight: (s) => {
      assign(script, 'weight', ctx.integer(s, `${path}.weight`, -253, 253));
      if (s.args[1]?.text === 'reverse') script.reverse = true;
    },
    rise: (s) => assign(script, 'rise', ctx.integer(s, `${path}.rise`, 1, 1_000_000)),
    fall: (s) => assign(script, 'fall', ctx.integer(s, `${path}.fall`, 1, 1_000_000)),
    user: (s) => assign(script, 'user', userAndGroup(s, `${path}.user`, ctx)),
    init_fail: () => (script.initFail = true),
  };
  readBlock(statement, path, handlers, ctx);
  // keepalived: the timeout defaults to the interval.
  if (Number.isNaN(script.timeoutMs)) script.timeoutMs = script.intervalMs;
  return script;
}

// ---- track_file ----

function readTrackFile(statement: Statement, ctx: LoadContext): TrackFileConfig | undefined {
  const name = ctx.argument(statement, 'trackFiles', 'a name')?.text;
  if (name === undefined) return undefined;
  const path = `trackFiles[${name}]`;
  ctx.locate(path, statement);
  const file: Mutable<TrackFileConfig> = { name, path: '', ...DEFAULTS.trackFile };
  readBlock(
    statement,
    path,
    {
      file: (s) => assign(file, 'path', ctx.argument(s, `${path}.path`, 'a file name')?.text),
      weight: (s) => {
        // A track_file's own weight multiplies the value read, so it may be large.
        assign(file, 'weight', ctx.integer(s, `${path}.weight`, -MAX_TRACK_FILE_WEIGHT, MAX_TRACK_FILE_WEIGHT));
        if (s.args[1]?.text === 'reverse') file.reverse = true;
      },
      // init_file [VALUE] [overwrite]
      init_file: (s) => {
        let value = 0;
        let overwrite = false;
        for (const word of s.args) {
          if (word.text === 'overwrite') overwrite = true;
          else value = ctx.integerWord(word, 'init_file', `${path}.initFile`, -2_147_483_648, 2_147_483_647) ?? 0;
        }
        file.initFile = { value, overwrite };
      },
    },
    ctx,
  );
  return file;
}

// ---- vrrp_track_process ----

function readTrackProcess(statement: Statement, ctx: LoadContext): TrackProcessConfig | undefined {
  const name = ctx.argument(statement, 'trackProcesses', 'a name')?.text;
  if (name === undefined) return undefined;
  const path = `trackProcesses[${name}]`;
  ctx.locate(path, statement);
  const tracked: Mutable<TrackProcessConfig> = { name, process: '', ...DEFAULTS.trackProcess };
  readBlock(
    statement,
    path,
    {
      // process NAME [PARAMETERS...]: the parameters are matched against the command line.
      process: (s) => {
        const first = ctx.argument(s, `${path}.process`, 'a process name');
        if (!first) return;
        tracked.process = first.text;
        tracked.parameters = s.args.slice(1).map((word) => word.text);
      },
      param_match: (s) => {
        const word = ctx.argument(s, `${path}.paramMatch`, 'initial or partial');
        if (!word) return;
        if (word.text === 'initial' || word.text === 'partial') tracked.paramMatch = word.text;
        else ctx.error(word, `${path}.paramMatch`, `param_match "${word.text}" is not valid: expected initial or partial`);
      },
      full_command: () => (tracked.fullCommand = true),
      weight: (s) => {
        assign(tracked, 'weight', ctx.integer(s, `${path}.weight`, -254, 254));
        if (s.args[1]?.text === 'reverse') tracked.reverse = true;
      },
      quorum: (s) => assign(tracked, 'quorum', ctx.integer(s, `${path}.quorum`, 0, 65_535)),
      quorum_max: (s) => assign(tracked, 'quorumMax', ctx.integer(s, `${path}.quorumMax`, 0, 65_535)),
      fork_delay: (s) => assign(tracked, 'forkDelayMs', ctx.seconds(s, `${path}.forkDelayMs`, 3600)),
      terminate_delay: (s) => assign(tracked, 'terminateDelayMs', ctx.seconds(s, `${path}.terminateDelayMs`, 3600)),
      delay: (s) => {
        const ms = ctx.seconds(s, `${path}.forkDelayMs`, 3600);
        assign(tracked, 'forkDelayMs', ms);
        assign(tracked, 'terminateDelayMs', ms);
      },
    },
    ctx,
  );
  // keepalived: quorum_max 0 means "failed while any is running", so the quorum becomes 0.
  if (tracked.quorumMax === 0) tracked.quorum = 0;
  return tracked;
}

// ---- vrrp_instance ----

function readInstance(statement: Statement, global: GlobalDefs, ctx: LoadContext): VrrpInstanceConfig | undefined {
  const name = ctx.argument(statement, 'instances', 'a name')?.text;
  if (name === undefined) return undefined;
  const path = `instances[${name}]`;
  ctx.locate(path, statement);
  const garp: Mutable<GarpConfig> = { ...global.garp };
  const notify: Mutable<NotifyConfig> = {};
  let configuredVersion: 2 | 3 | undefined;
  let checksumAsV2 = false;
  let noAccept: boolean | undefined;
  let routes: Draft<VirtualRouteConfig>[] | undefined;
  let rules: Draft<VirtualRuleConfig>[] | undefined;
  const instance: Mutable<VrrpInstanceConfig> = {
    name,
    interface: '',
    virtualRouterId: 0,
    version: global.vrrpVersion,
    family: 'ipv4',
    ...DEFAULTS.instance,
    acceptMode: !global.strict,
    unicastPeers: [],
    virtualAddresses: [],
    excludedAddresses: [],
    trackInterfaces: [],
    trackScripts: [],
    trackFiles: [],
    trackProcesses: [],
    garp,
    lowerPrioNoAdvert: global.lowerPrioNoAdvert,
    higherPrioSendAdvert: global.higherPrioSendAdvert,
    notifyPriorityChanges: global.notifyPriorityChanges,
    notify,
  };
  const handlers: Record<string, (s: Statement) => void> = {
    state: (s) => {
      const word = ctx.argument(s, `${path}.initialState`, 'MASTER or BACKUP');
      if (!word) return;
      const state = word.text.toUpperCase();
      if (state === 'MASTER' || state === 'BACKUP') instance.initialState = state;
      else ctx.error(word, `${path}.initialState`, `state "${word.text}" is not valid: expected MASTER or BACKUP`);
    },
    interface: (s) => assign(instance, 'interface', ctx.argument(s, `${path}.interface`, 'an interface name')?.text),
    virtual_router_id: (s) => assign(instance, 'virtualRouterId', ctx.integer(s, `${path}.virtualRouterId`, 1, 255)),
    priority: (s) => assign(instance, 'priority', ctx.integer(s, `${path}.priority`, 1, 255)),
    advert_int: (s) => assign(instance, 'advertIntervalMs', ctx.seconds(s, `${path}.advertIntervalMs`, 255)),
    version: (s) => (configuredVersion = version(ctx.integer(s, `${path}.version`, 2, 3))),
    nopreempt: () => (instance.preempt = false),
    no_preempt: () => (instance.preempt = false),
    preempt: () => (instance.preempt = true),
    preempt_delay: (s) => assign(instance, 'preemptDelayMs', ctx.seconds(s, `${path}.preemptDelayMs`, 1000)),
    accept: () => (noAccept = false),
    no_accept: () => (noAccept = true),
    unicast_src_ip: (s) => assign(instance, 'unicastSourceIp', address(ctx, s, `${path}.unicastSourceIp`)),
    mcast_src_ip: (s) => assign(instance, 'multicastSourceIp', address(ctx, s, `${path}.multicastSourceIp`)),
    unicast_peer: (s) => {
      ctx.locate(`${path}.unicastPeers`, s);
      instance.unicastPeers = readPeers(s, `${path}.unicastPeers`, ctx);
    },
    authentication: (s) => assign(instance, 'authentication', readAuthentication(s, `${path}.authentication`, ctx)),
    virtual_ipaddress: (s) => {
      ctx.locate(`${path}.virtualAddresses`, s);
      instance.virtualAddresses = readAddresses(s, `${path}.virtualAddresses`, ctx);
    },
    virtual_ipaddress_excluded: (s) => (instance.excludedAddresses = readAddresses(s, `${path}.excludedAddresses`, ctx)),
    virtual_routes: (s) => (routes = [...(routes ?? []), ...readRoutes(s, `${path}.virtualRoutes`, ctx, routes?.length)]),
    virtual_rules: (s) => (rules = [...(rules ?? []), ...readRules(s, `${path}.virtualRules`, ctx, rules?.length)]),
    track_interface: (s) => (instance.trackInterfaces = readTrackInterfaces(s, `${path}.trackInterfaces`, ctx)),
    track_script: (s) => (instance.trackScripts = readTrackerRefs(s, `${path}.trackScripts`, 253, ctx)),
    track_file: (s) => (instance.trackFiles = readTrackerRefs(s, `${path}.trackFiles`, 254, ctx)),
    track_process: (s) => (instance.trackProcesses = readTrackerRefs(s, `${path}.trackProcesses`, 254, ctx)),
    dont_track_primary: () => (instance.dontTrackPrimary = true),
    lower_prio_no_advert: (s) => assign(instance, 'lowerPrioNoAdvert', ctx.flag(s, `${path}.lowerPrioNoAdvert`)),
    higher_prio_send_advert: (s) => assign(instance, 'higherPrioSendAdvert', ctx.flag(s, `${path}.higherPrioSendAdvert`)),
    use_vmac: (s) => (instance.useVmac = s.args[0] ? { name: s.args[0].text } : {}),
    v3_checksum_as_v2: () => (checksumAsV2 = true),
    notify_master: (s) => notifyScript(notify, 'master', s, `${path}.notify`, ctx),
    notify_backup: (s) => notifyScript(notify, 'backup', s, `${path}.notify`, ctx),
    notify_fault: (s) => notifyScript(notify, 'fault', s, `${path}.notify`, ctx),
    notify_stop: (s) => notifyScript(notify, 'stop', s, `${path}.notify`, ctx),
    notify: (s) => notifyScript(notify, 'any', s, `${path}.notify`, ctx),
    smtp_alert: (s) => ctx.warning(s.keyword, path, 'smtp_alert: SMTP is not part of vrrpd; use notify scripts; ignored'),
    notify_master_rx_lower_pri: (s) => notifyScript(notify, 'masterRxLowerPri', s, `${path}.notify`, ctx),
    notify_deleted: (s) => {
      notify.deleted = {};
      if (s.args.length > 0) notifyScript(notify, 'deleted', s, `${path}.notify`, ctx);
    },
    notify_priority_changes: (s) => assign(instance, 'notifyPriorityChanges', ctx.flag(s, `${path}.notifyPriorityChanges`)),
    debug: (s) => assign(instance, 'debug', ctx.integer(s, `${path}.debug`, 0, 4)),
    // Per-instance vrrp_strict; of its rules, only no_accept changes what vrrpd does.
    strict_mode: (s) => {
      if (ctx.flag(s, `${path}.acceptMode`)) noAccept = true;
    },
    native_ipv6: () => undefined,
    check_unicast_src: () => undefined,
    ...garpHandlers(garp, `${path}.garp`, '', ctx),
  };
  readBlock(statement, path, handlers, ctx);

  // keepalived: the family is the first VIP's; IPv6 instances always run VRRPv3.
  instance.family = instance.virtualAddresses[0]?.family ?? 'ipv4';
  instance.version = instance.family === 'ipv6' ? 3 : (configuredVersion ?? global.vrrpVersion);
  // A `default` route or an address-less rule is of the instance's family unless via/src says otherwise.
  if (routes) instance.virtualRoutes = withFamily(routes, instance.family);
  if (rules) instance.virtualRules = withFamily(rules, instance.family);
  if (noAccept !== undefined) instance.acceptMode = !noAccept;
  instance.v3ChecksumWithPseudoHeader = !checksumAsV2;
  // Without these the instance cannot run at all: report it here and leave it out of the model,
  // so validation does not add confusing follow-up errors about it.
  let complete = true;
  if (instance.interface === '') {
    ctx.error(statement.keyword, `${path}.interface`, `vrrp_instance ${name} needs an interface`);
    complete = false;
  }
  if (instance.virtualRouterId === 0) {
    if (!ctx.issues.some((i) => i.path === `${path}.virtualRouterId`)) {
      ctx.error(statement.keyword, `${path}.virtualRouterId`, `vrrp_instance ${name} needs a virtual_router_id (1..255)`);
    }
    complete = false;
  }
  return complete ? instance : undefined;
}

function readBlock(statement: Statement, path: string, handlers: Record<string, (s: Statement) => void>, ctx: LoadContext): void {
  for (const child of blockOf(statement, ctx, path)) {
    const handler = handlers[child.keyword.text];
    if (handler) handler(child);
    else unknownKeyword(child, path, Object.keys(handlers), ctx);
  }
}

function readAddresses(statement: Statement, path: string, ctx: LoadContext): VirtualAddressConfig[] {
  const addresses: VirtualAddressConfig[] = [];
  for (const entry of blockOf(statement, ctx, path)) {
    const entryPath = `${path}[${addresses.length}]`;
    const parsed = parseAddressWithPrefix(entry.keyword.text);
    if ('error' in parsed) {
      ctx.error(entry.keyword, entryPath, parsed.error);
      continue;
    }
    const address: Mutable<VirtualAddressConfig> = { ...parsed };
    const words = entry.args;
    for (let i = 0; i < words.length; i++) {
      const option = words[i]!;
      const value = words[i + 1];
      const takesValue = ['dev', 'label', 'scope', 'brd', 'broadcast', 'metric', 'preferred_lft', 'valid_lft'].includes(option.text);
      if (takesValue && !value) {
        ctx.error(option, entryPath, `${option.text} needs a value`);
        break;
      }
      if (option.text === 'dev') address.device = value!.text;
      else if (option.text === 'label') address.label = value!.text;
      else if (option.text === 'scope') address.scope = value!.text;
      else if (option.text === 'brd' || option.text === 'broadcast') address.broadcast = value!.text;
      else if (['-nodad', 'no_dad', 'nodad'].includes(option.text)) address.noDad = true;
      else if (option.text === 'no_track') address.noTrack = true;
      else if (!takesValue && !['home', 'noprefixroute', 'autojoin', 'mngtmpaddr'].includes(option.text)) {
        ctx.warning(option, entryPath, `unknown address option "${option.text}"; ignored`);
      }
      if (takesValue) i++;
    }
    ctx.sourceMap.set(entryPath, entry.keyword.location);
    addresses.push(address);
  }
  return addresses;
}

function readPeers(statement: Statement, path: string, ctx: LoadContext): UnicastPeerConfig[] {
  const peers: UnicastPeerConfig[] = [];
  for (const entry of blockOf(statement, ctx, path)) {
    const entryPath = `${path}[${peers.length}]`;
    const peer: Mutable<UnicastPeerConfig> = { address: entry.keyword.text };
    for (let i = 0; i + 1 < entry.args.length; i += 2) {
      const option = entry.args[i]!;
      const value = entry.args[i + 1]!;
      if (option.text === 'min_ttl') assign(peer, 'minTtl', ctx.integerWord(value, 'min_ttl', entryPath, 0, 255));
      else if (option.text === 'max_ttl') assign(peer, 'maxTtl', ctx.integerWord(value, 'max_ttl', entryPath, 0, 255));
      else ctx.warning(option, entryPath, `unknown unicast_peer option "${option.text}"; ignored`);
    }
    ctx.sourceMap.set(entryPath, entry.keyword.location);
    peers.push(peer);
  }
  return peers;
}

function readAuthentication(statement: Statement, path: string, ctx: LoadContext): VrrpInstanceConfig['authentication'] {
  let type: string | undefined;
  let password: string | undefined;
  for (const child of blockOf(statement, ctx, path)) {
    if (child.keyword.text === 'auth_type') type = ctx.argument(child, `${path}.type`, 'PASS')?.text;
    else if (child.keyword.text === 'auth_pass') password = ctx.argument(child, `${path}.password`, 'a password')?.text;
    else unknownKeyword(child, path, ['auth_type', 'auth_pass'], ctx);
  }
  if (type === 'AH') {
    ctx.warning(statement.keyword, path, 'auth_type AH is obsolete (RFC 5798) and not implemented; no authentication is used');
    return undefined;
  }
  if (type !== undefined && type !== 'PASS') {
    ctx.error(statement.keyword, `${path}.type`, `auth_type "${type}" is not valid: expected PASS`);
    return undefined;
  }
  if (password === undefined) {
    ctx.error(statement.keyword, `${path}.password`, 'authentication needs auth_pass');
    return undefined;
  }
  return { type: 'PASS', password };
}

function readTrackInterfaces(statement: Statement, path: string, ctx: LoadContext): TrackedInterfaceConfig[] {
  return blockOf(statement, ctx, path).map((entry, index) => {
    ctx.sourceMap.set(`${path}[${index}]`, entry.keyword.location);
    return {
      name: entry.keyword.text,
      weight: entry.args[0]?.text === 'weight' && entry.args[1] ? (ctx.integerWord(entry.args[1], 'weight', `${path}[${index}].weight`, -253, 253) ?? 0) : 0,
      reverse: entry.args.some((word) => word.text === 'reverse'),
    };
  });
}

/** A track_script / track_file / track_process list: `NAME [weight N] [reverse|noreverse]` per line. */
function readTrackerRefs(statement: Statement, path: string, maxWeight: number, ctx: LoadContext): TrackedScriptRefConfig[] {
  return blockOf(statement, ctx, path).map((entry, index) => {
    ctx.sourceMap.set(`${path}[${index}]`, entry.keyword.location);
    const weightAt = entry.args.findIndex((word) => word.text === 'weight');
    const weightWord = weightAt >= 0 ? entry.args[weightAt + 1] : undefined;
    const weight = weightWord ? ctx.integerWord(weightWord, 'weight', `${path}[${index}].weight`, -maxWeight, maxWeight) : undefined;
    // Without reverse/noreverse the script's own setting applies.
    const reverse = entry.args.some((word) => word.text === 'reverse') ? true : entry.args.some((word) => word.text === 'noreverse') ? false : undefined;
    return {
      name: entry.keyword.text,
      ...(weight !== undefined ? { weight } : {}),
      ...(reverse !== undefined ? { reverse } : {}),
    };
  });
}

// ---- vrrp_sync_group ----

function readSyncGroup(statement: Statement, ctx: LoadContext): SyncGroupConfig | undefined {
  const name = ctx.argument(statement, 'syncGroups', 'a name')?.text;
  if (name === undefined) return undefined;
  const path = `syncGroups[${name}]`;
  ctx.locate(path, statement);
  const notify: Mutable<NotifyConfig> = {};
  const group: Mutable<SyncGroupConfig> = { name, members: [], trackScripts: [], trackInterfaces: [], trackFiles: [], trackProcesses: [], notify, ...DEFAULTS.syncGroup };
  readBlock(
    statement,
    path,
    {
      group: (s) => {
        group.members = namesOf(s, ctx, `${path}.members`);
      },
      track_script: (s) => (group.trackScripts = readTrackerRefs(s, `${path}.trackScripts`, 253, ctx)),
      track_interface: (s) => (group.trackInterfaces = readTrackInterfaces(s, `${path}.trackInterfaces`, ctx)),
      track_file: (s) => (group.trackFiles = readTrackerRefs(s, `${path}.trackFiles`, 254, ctx)),
      track_process: (s) => (group.trackProcesses = readTrackerRefs(s, `${path}.trackProcesses`, 254, ctx)),
      notify_master: (s) => notifyScript(notify, 'master', s, `${path}.notify`, ctx),
      notify_backup: (s) => notifyScript(notify, 'backup', s, `${path}.notify`, ctx),
      notify_fault: (s) => notifyScript(notify, 'fault', s, `${path}.notify`, ctx),
      notify_stop: (s) => notifyScript(notify, 'stop', s, `${path}.notify`, ctx),
      notify: (s) => notifyScript(notify, 'any', s, `${path}.notify`, ctx),
      sync_group_tracking_weight: () => (group.trackingWeight = true),
      smtp_alert: (s) => ctx.warning(s.keyword, path, 'smtp_alert: SMTP is not part of vrrpd; ignored'),
    },
    ctx,
  );
  return group;
}

/** `garp_group { garp_interval S; gna_interval S; interface X | interfaces { X Y } }`. */
function readGarpGroup(statement: Statement, index: number, ctx: LoadContext): GarpGroupConfig | undefined {
  const path = `garpGroups[${index}]`;
  ctx.locate(path, statement);
  const group: Mutable<GarpGroupConfig> = { interfaces: [] };
  let named: Statement | undefined;
  const name = (s: Statement, interfaces: readonly string[]): void => {
    // keepalived: one of interface or interfaces per block.
    if (named) ctx.error(s.keyword, path, `garp_group: ${s.keyword.text} after ${named.keyword.text}; give one of interface or interfaces per block`);
    named = s;
    group.interfaces = interfaces;
  };
  readBlock(
    statement,
    path,
    {
      garp_interval: (s) => assign(group, 'arpIntervalMs', ctx.seconds(s, `${path}.arpIntervalMs`, 1)),
      gna_interval: (s) => assign(group, 'naIntervalMs', ctx.seconds(s, `${path}.naIntervalMs`, 1)),
      interface: (s) => {
        const device = ctx.argument(s, `${path}.interfaces`, 'an interface name');
        if (device === undefined) return;
        ctx.sourceMap.set(`${path}.interfaces[0]`, device.location);
        name(s, [device.text]);
      },
      interfaces: (s) => {
        name(s, namesOf(s, ctx, `${path}.interfaces`));
      },
    },
    ctx,
  );
  if (group.interfaces.length === 0) {
    ctx.error(statement.keyword, path, 'garp_group names no interface: give interface or interfaces');
    return undefined;
  }
  return group;
}

// ---- small readers ----

/** Sets a field when the reader produced a value (a failed read already reported its issue). */
function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

/** `USER [GROUP]`, kept as written ("haproxy haproxy"); resolved when scripts start. */
function userAndGroup(statement: Statement, path: string, ctx: LoadContext): string | undefined {
  const user = ctx.argument(statement, path, 'a user name');
  if (!user) return undefined;
  const group = statement.args[1];
  return group ? `${user.text} ${group.text}` : user.text;
}

function version(value: number | undefined): 2 | 3 | undefined {
  return value === 2 || value === 3 ? value : undefined;
}

function address(ctx: LoadContext, statement: Statement, path: string): string | undefined {
  const word = ctx.argument(statement, path, 'an address');
  if (!word) return undefined;
  const parsed = parseAddressWithPrefix(word.text);
  if ('error' in parsed) {
    ctx.error(word, path, parsed.error);
    return undefined;
  }
  return parsed.address;
}

/**
 * A notify command line: `notify_master <SCRIPT>|"<COMMAND LINE>" [username [groupname]]`. The
 * first word (quoted when it has arguments) is the command; what follows is the user (and group)
 * to run it as.
 */
function command(statement: Statement, path: string, ctx: LoadContext): { command: string; user?: string } | undefined {
  const command = ctx.argument(statement, path, 'a script')?.text;
  if (command === undefined) return undefined;
  const [user, group, extra] = statement.args.slice(1);
  if (extra) ctx.warning(extra, path, `${statement.keyword.text} takes a script, a user and a group; "${extra.text}" and what follows are ignored (quote the command line if these are arguments)`);
  return user ? { command, user: group ? `${user.text} ${group.text}` : user.text } : { command };
}

function notifyScript(notify: Mutable<NotifyConfig>, key: NotifyScript, statement: Statement, path: string, ctx: LoadContext): void {
  const read = command(statement, path, ctx);
  if (!read) return;
  if (key === 'deleted') notify.deleted = { script: read.command };
  else notify[key] = read.command;
  if (read.user !== undefined) notify.users = { ...notify.users, [key]: read.user };
}

function fifoScript(global: Mutable<GlobalDefs>, statement: Statement, ctx: LoadContext): void {
  const read = command(statement, 'global.notifyFifoScript', ctx);
  if (!read) return;
  global.notifyFifoScript = read.command;
  if (read.user !== undefined) global.notifyFifoScriptUser = read.user;
}
