// Trackers: vrrp_script, track_file and vrrp_track_process definitions, the track_* lists of
// instances and sync groups that name them, and the weights keepalived would not apply.
import type { IssueSink } from './issues.js';
import {
  isIntegerIn,
  MAX_BFD_WEIGHT,
  MAX_FILE_PROCESS_WEIGHT,
  MAX_INTERFACE_SCRIPT_WEIGHT,
  MAX_PROCESS_DELAY_MS,
  MAX_TRACK_FILE_WEIGHT,
  OWNER_PRIORITY,
  PROCESS_QUORUM_MAX_RANGE,
  PROCESS_QUORUM_RANGE,
} from './limits.js';
import type { SyncGroupConfig, TrackedInterfaceConfig, TrackerRefConfig, VrrpInstanceConfig } from './model.js';
import { validateChecker } from './validate-checkers.js';
import { scriptPath, syncGroupPath, trackFilePath, trackProcessPath } from './paths.js';
import { nearest } from './suggest.js';
import { checkInterfaceName } from './validate-names.js';
import { secondsText, type ValidationContext } from './validation-context.js';

/** What instances and sync groups track; both have these lists. */
type Tracking = Pick<VrrpInstanceConfig, 'trackInterfaces' | 'trackScripts' | 'trackFiles' | 'trackProcesses' | 'trackBfd'>;

interface TrackerKind {
  /** The list keyword in an instance or sync group. */
  readonly keyword: 'track_script' | 'track_file' | 'track_process' | 'track_bfd';
  /** The block that defines one. */
  readonly definedBy: 'vrrp_script' | 'track_file' | 'vrrp_track_process' | 'bfd_instance';
  readonly field: 'trackScripts' | 'trackFiles' | 'trackProcesses' | 'trackBfd';
  readonly maxWeight: number;
  readonly definitions: (ctx: ValidationContext) => ReadonlyMap<string, { readonly weight: number }>;
  /** Why a block of that name exists yet is not one VRRP may track; undefined when none exists. */
  readonly untrackable?: (ctx: ValidationContext, name: string) => string | undefined;
}

const TRACKER_KINDS: readonly TrackerKind[] = [
  { keyword: 'track_script', definedBy: 'vrrp_script', field: 'trackScripts', maxWeight: MAX_INTERFACE_SCRIPT_WEIGHT, definitions: (ctx) => ctx.scripts },
  { keyword: 'track_file', definedBy: 'track_file', field: 'trackFiles', maxWeight: MAX_FILE_PROCESS_WEIGHT, definitions: (ctx) => ctx.trackFiles },
  { keyword: 'track_process', definedBy: 'vrrp_track_process', field: 'trackProcesses', maxWeight: MAX_FILE_PROCESS_WEIGHT, definitions: (ctx) => ctx.trackProcesses },
  {
    keyword: 'track_bfd',
    definedBy: 'bfd_instance',
    field: 'trackBfd',
    maxWeight: MAX_BFD_WEIGHT,
    definitions: (ctx) => ctx.bfdInstances,
    // keepalived tells its VRRP process only of the bfd_instances written `vrrp` (or neither word).
    untrackable: (ctx, name) =>
      (ctx.config.bfdInstances ?? []).some((bfd) => bfd.name === name && !bfd.notifies.vrrp)
        ? `bfd_instance ${name} is written \`checker\` without \`vrrp\`, so VRRP does not hear of it: add \`vrrp\` to it`
        : undefined,
  },
];

// ---- definitions ----

export function validateTrackerDefinitions(ctx: ValidationContext): void {
  const { config, report } = ctx;
  reportDuplicateNames(config.scripts, scriptPath, 'vrrp_script', report);
  reportDuplicateNames(config.trackFiles, trackFilePath, 'track_file', report);
  reportDuplicateNames(config.trackProcesses, trackProcessPath, 'vrrp_track_process', report);

  for (const script of config.scripts) {
    const at = scriptPath(script.name);
    if (script.checker) {
      if (script.script.trim() !== '') report.warning(`${at}.script`, `vrrp_script ${script.name} has both a script and a checker block (${script.checker.type}): the checker runs, the script is ignored`);
      validateChecker(script.checker, `${at}.checker`, report);
    } else if (script.script.trim() === '') report.error(`${at}.script`, `vrrp_script ${script.name} has no script: set the command to run, or a checker block (HTTP_GET, SSL_GET, TCP_CHECK, PING_CHECK, DNS_CHECK, UDP_CHECK, SMTP_CHECK)`);
    for (const [field, keyword] of [['intervalMs', 'interval'], ['timeoutMs', 'timeout']] as const) {
      if (!(script[field] > 0)) report.error(`${at}.${field}`, `${keyword} ${secondsText(script[field])} is out of range: must be more than 0 s`);
    }
    for (const field of ['rise', 'fall'] as const) {
      if (!Number.isInteger(script[field]) || script[field] < 1) report.error(`${at}.${field}`, `${field} ${script[field]} is out of range: must be a whole number, 1 or more`);
    }
    checkWeight(script.weight, MAX_INTERFACE_SCRIPT_WEIGHT, `${at}.weight`, 'weight', report);
  }

  for (const file of config.trackFiles) {
    const at = trackFilePath(file.name);
    if (file.path.trim() === '') report.error(`${at}.path`, `track_file ${file.name} has no file: set the file to read`);
    checkWeight(file.weight, MAX_TRACK_FILE_WEIGHT, `${at}.weight`, 'weight', report);
    if (file.initFile && !Number.isInteger(file.initFile.value)) {
      report.error(`${at}.initFile`, `init_file ${file.initFile.value} is not valid: must be a whole number`);
    }
  }

  for (const tracked of config.trackProcesses) {
    const at = trackProcessPath(tracked.name);
    if (tracked.process.trim() === '') report.error(`${at}.process`, `vrrp_track_process ${tracked.name} has no process: set the process to look for`);
    checkWeight(tracked.weight, MAX_FILE_PROCESS_WEIGHT, `${at}.weight`, 'weight', report);
    // keepalived: quorum_max 0 ("failed while any is running") makes the quorum 0.
    const quorumOk = tracked.quorumMax === 0 ? tracked.quorum === 0 || isIntegerIn(tracked.quorum, PROCESS_QUORUM_RANGE) : isIntegerIn(tracked.quorum, PROCESS_QUORUM_RANGE);
    if (!quorumOk) report.error(`${at}.quorum`, `quorum ${tracked.quorum} is out of range: must be 1..65535`);
    if (tracked.quorumMax !== undefined) {
      if (!isIntegerIn(tracked.quorumMax, PROCESS_QUORUM_MAX_RANGE)) {
        report.error(`${at}.quorumMax`, `quorum_max ${tracked.quorumMax} is out of range: must be 0..65535`);
      } else if (tracked.quorumMax !== 0 && tracked.quorumMax < tracked.quorum) {
        report.error(`${at}.quorumMax`, `quorum_max ${tracked.quorumMax} is below quorum ${tracked.quorum}: no number of processes could be OK`);
      }
    }
    for (const [field, keyword] of [['forkDelayMs', 'fork_delay'], ['terminateDelayMs', 'terminate_delay']] as const) {
      if (!(tracked[field] >= 0 && tracked[field] <= MAX_PROCESS_DELAY_MS)) {
        report.error(`${at}.${field}`, `${keyword} ${secondsText(tracked[field])} is out of range: must be 0..3600 s`);
      }
    }
  }
}

function reportDuplicateNames(items: readonly { readonly name: string }[], pathOf: (name: string) => string, keyword: string, report: IssueSink): void {
  const seen = new Set<string>();
  for (const { name } of items) {
    if (seen.has(name)) report.error(pathOf(name), `${keyword} ${name} is defined twice: names must be unique`);
    seen.add(name);
  }
}

function checkWeight(weight: number, max: number, path: string, keyword: string, report: IssueSink): void {
  if (!isIntegerIn(weight, { min: -max, max })) report.error(path, `${keyword} ${weight} is out of range: must be -${max}..${max}`);
}

// ---- track_* lists ----

/** The track_* lists of an instance (`at` = its path) or a sync group: names, weights, duplicates. */
export function validateTrackingLists(tracking: Tracking, at: string, ctx: ValidationContext): void {
  const { report } = ctx;
  const interfaces = new Set<string>();
  tracking.trackInterfaces.forEach((tracked, index) => {
    const path = `${at}.trackInterfaces[${index}]`;
    checkInterfaceName(tracked.name, path, 'track_interface', report);
    checkWeight(tracked.weight, MAX_INTERFACE_SCRIPT_WEIGHT, `${path}.weight`, `weight of track_interface ${tracked.name}`, report);
    if (interfaces.has(tracked.name)) report.warning(path, `track_interface ${tracked.name} is listed twice; keepalived ignores the second`);
    interfaces.add(tracked.name);
  });
  for (const kind of TRACKER_KINDS) {
    const definitions = kind.definitions(ctx);
    const names = new Set<string>();
    tracking[kind.field].forEach((ref, index) => {
      const path = `${at}.${kind.field}[${index}]`;
      const untrackable = definitions.has(ref.name) ? undefined : kind.untrackable?.(ctx, ref.name);
      if (untrackable !== undefined) {
        report.error(path, `${kind.keyword} ${ref.name} cannot be tracked: ${untrackable}`);
      } else if (!definitions.has(ref.name)) {
        const suggestion = nearest(ref.name, definitions.keys());
        report.error(path, `${kind.keyword} ${ref.name} is not defined by any ${kind.definedBy}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`);
      }
      if (ref.weight !== undefined) checkWeight(ref.weight, kind.maxWeight, `${path}.weight`, `weight of ${kind.keyword} ${ref.name}`, report);
      if (names.has(ref.name)) report.warning(path, `${kind.keyword} ${ref.name} is listed twice; keepalived ignores the second`);
      names.add(ref.name);
    });
  }
}

// ---- weights that cannot apply ----

interface WeightedTracker {
  readonly path: string;
  /** `track_script chk_haproxy`. */
  readonly label: string;
  readonly weight: number;
}

/** Trackers whose effective weight (the entry's, else the definition's) is not 0. */
function weightedTrackers(tracking: Tracking, at: string, ctx: ValidationContext): WeightedTracker[] {
  const weighted: WeightedTracker[] = [];
  tracking.trackInterfaces.forEach((tracked: TrackedInterfaceConfig, index) => {
    if (tracked.weight !== 0) weighted.push({ path: `${at}.trackInterfaces[${index}]`, label: `track_interface ${tracked.name}`, weight: tracked.weight });
  });
  for (const kind of TRACKER_KINDS) {
    tracking[kind.field].forEach((ref: TrackerRefConfig, index) => {
      const weight = ref.weight ?? kind.definitions(ctx).get(ref.name)?.weight ?? 0;
      if (weight !== 0) weighted.push({ path: `${at}.${kind.field}[${index}]`, label: `${kind.keyword} ${ref.name}`, weight });
    });
  }
  return weighted;
}

/**
 * keepalived drops tracking weights of an address owner (its priority is 255 by definition) and
 * of sync group members unless the group sets sync_group_tracking_weight (members of one group
 * must agree on who is Master). Said once per tracker, with the reason that applies.
 */
export function validateInstanceWeights(instance: VrrpInstanceConfig, at: string, ctx: ValidationContext): void {
  const group = ctx.syncGroupOf.get(instance.name);
  const reason =
    group && !group.trackingWeight
      ? `${instance.name} is in vrrp_sync_group ${group.name}, whose members track without weights unless the group sets sync_group_tracking_weight`
      : instance.priority === OWNER_PRIORITY
        ? `${instance.name} is an address owner (priority 255), whose priority never changes; use weight 0 to go to Fault on failure`
        : undefined;
  if (!reason) return;
  for (const tracker of weightedTrackers(instance, at, ctx)) {
    ctx.report.warning(tracker.path, `${tracker.label} weight ${tracker.weight} is not applied: ${reason}`);
  }
}

/** A sync group's own weighted trackers cannot move an address owner among its members. */
export function validateGroupWeights(group: SyncGroupConfig, ctx: ValidationContext): void {
  const owners = group.members.filter((member) => ctx.instances.get(member)?.priority === OWNER_PRIORITY);
  if (owners.length === 0) return;
  for (const tracker of weightedTrackers(group, syncGroupPath(group.name), ctx)) {
    ctx.report.warning(tracker.path, `${tracker.label} weight ${tracker.weight} is not applied to ${owners.join(', ')}: an address owner (priority 255) keeps its priority`);
  }
}
