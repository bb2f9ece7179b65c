// Tracking, sync groups and notifications for a running daemon, built from the configuration
// model. The daemon sees it through DaemonHooks (hooks.ts) only. Trackers are built through the
// tracker registry (src/tracking/registry.ts): keepalived's own kinds, plus any a subsystem adds.
import type { CheckerHost } from '../../checkers/checker.js';
import type { SyncGroupConfig, VrrpdConfig, VrrpInstanceConfig } from '../../config/model.js';
import type { Clock } from '../../core/clock.js';
import { equalValues } from '../../core/equal.js';
import type { Logger } from '../../core/log.js';
import type { FifoPort } from '../../notify/fifo.js';
import { Notifier, notifyStateOf, type NotifyState } from '../../notify/notifier.js';
import { ScriptPolicy } from '../../scripting/policy.js';
import { describeOutcome, type ProcessRunner } from '../../scripting/process-runner.js';
import type { SecurityFs } from '../../scripting/script-security.js';
import type { UserDatabase } from '../../scripting/users.js';
import { builtinTrackerTypes } from '../../tracking/builtin-types.js';
import type { FileWatchPort } from '../../tracking/file-tracker.js';
import { InstanceTracking, type TrackedEntry } from '../../tracking/instance-tracking.js';
import type { ProcessTablePort } from '../../tracking/process-tracker.js';
import type { TrackerType } from '../../tracking/registry.js';
import type { Tracker } from '../../tracking/tracker.js';
import type { RouterAction } from '../../vrrp/protocol/actions.js';
import { OWNER_PRIORITY } from '../../vrrp/protocol/priority.js';
import type { RouterState } from '../../vrrp/protocol/state.js';
import { SyncGroup } from '../../vrrp/protocol/sync-group.js';
import type { VirtualRouter } from '../../vrrp/protocol/virtual-router.js';
import type { DaemonHooks, SupervisedStatus, SupervisorContext } from './hooks.js';
import type { HostEvent } from './ports.js';

export interface SupervisorPorts {
  readonly clock: Clock;
  readonly log: Logger;
  readonly runner: ProcessRunner;
  readonly files: FileWatchPort;
  readonly processes: ProcessTablePort;
  readonly users: UserDatabase;
  readonly security: SecurityFs;
  readonly fifo?: FifoPort;
  /** Where the built-in checkers run (vrrp_scripts with a checker block). */
  readonly checkers?: CheckerHost;
  /** Kinds of tracked object other subsystems add to keepalived's own (track_bfd, checkers). */
  readonly trackerTypes?: (config: VrrpdConfig) => readonly TrackerType[];
}

interface Supervised {
  readonly config: VrrpInstanceConfig;
  readonly group: SyncGroupConfig | undefined;
  readonly tracking: InstanceTracking;
}

export class Supervisor implements DaemonHooks {
  /** The running trackers, by kind and name ("script:chk_haproxy"). */
  private readonly trackers = new Map<string, Tracker>();
  private readonly instances = new Map<string, Supervised>();
  private readonly groups = new Map<string, { readonly config: SyncGroupConfig; readonly sync: SyncGroup; notified: NotifyState | undefined }>();
  private readonly notifier: Notifier;
  /**
   * Each instance's state as its transitions were reported here. The daemon reports a transition
   * once the packets it implies have left, when a sync group's other members may have moved on
   * already: a group's state is judged from what was reported, so its line comes where keepalived
   * puts it (after the last member becoming Master, before the first going to Backup).
   */
  private readonly reportedStates = new Map<string, RouterState>();
  /** Who scripts run as, and whether they may run. */
  private readonly policy: ScriptPolicy;
  /** The kinds of tracked object this configuration's instances and groups can name. */
  private readonly types: readonly TrackerType[];
  /** What each tracker in `trackers` was built from (its definition's identity), so a reload can tell whether it changed. */
  private readonly definitions = new Map<string, unknown>();
  /** Trackers taken over from the supervisor this one replaced (already initialised and running). */
  private readonly adopted = new Set<Tracker>();
  /** The supervisor this one replaces on reload, until attach() has taken what it can. */
  private predecessor: Supervisor | undefined;
  /** Stops the notify_fifo_script. */
  private fifoReader: AbortController | undefined;

  constructor(
    private readonly config: VrrpdConfig,
    private readonly ports: SupervisorPorts,
  ) {
    const policy = new ScriptPolicy(config.global, ports.users, ports.security, ports.log);
    this.policy = policy;
    this.types = [...builtinTrackerTypes(config, { ...ports, policy }), ...(ports.trackerTypes?.(config) ?? [])];
    // Notify scripts run as their own user if configured, else as script_user; if that user does
    // not exist they do not run at all (running them as root instead would be a surprise).
    const { identity, problem } = policy.identity(undefined, 'notify scripts');
    this.notifier = new Notifier({
      runner: ports.runner,
      identity,
      log: ports.log,
      ...(ports.fifo ? { fifo: ports.fifo } : {}),
      identityOf: (user) => policy.identity(user, `notify script user "${user}"`),
      refusal: (program, who) => (who === identity ? problem : undefined) ?? policy.refusal(program, who, 'notify script'),
    });
  }

  succeed(previous: DaemonHooks): void {
    if (!(previous instanceof Supervisor)) return;
    for (const { tracking } of previous.instances.values()) tracking.detach();
    this.predecessor = previous;
  }

  async attach(routers: ReadonlyMap<string, VirtualRouter>, context: SupervisorContext): Promise<void> {
    const groupOf = new Map<string, SyncGroupConfig>();
    for (const group of this.config.syncGroups) for (const member of group.members) if (!groupOf.has(member)) groupOf.set(member, group);

    for (const instance of this.config.instances) {
      const router = routers.get(instance.name);
      if (!router) continue;
      const group = groupOf.get(instance.name);
      const entries = await this.entriesFor(instance, group, context);
      // keepalived drops tracking weights of address owners and of sync group members (unless
      // sync_group_tracking_weight): a failing tracker then means Fault.
      const weightsApply = instance.priority !== OWNER_PRIORITY && (!group || group.trackingWeight);
      const tracking = new InstanceTracking(router, entries, weightsApply, () => context.basePriority(instance.name), this.ports.log);
      this.instances.set(instance.name, { config: instance, group, tracking });
    }
    // On reload, a router that was in a group and no longer is must not keep its group's Fault.
    for (const [name, router] of routers) if (!groupOf.has(name)) router.leaveSyncGroup();
    for (const group of this.config.syncGroups) {
      const members = group.members.flatMap((name) => routers.get(name) ?? []);
      if (members.length > 0 && !this.groups.has(group.name)) this.groups.set(group.name, { config: group, sync: new SyncGroup(group.name, members), notified: undefined });
    }
    this.predecessor = undefined;
    // Trackers taken over on reload are initialised and running already.
    const fresh = [...this.trackers.values()].filter((tracker) => !this.adopted.has(tracker));
    await Promise.all(fresh.map((tracker) => tracker.initialise?.()));
    for (const tracker of fresh) tracker.start();
    // keepalived starts an instance only once its scripts have a first result (a run ends by its
    // timeout at the latest): a failing weight-0 check means Fault from the start, never a
    // Backup first (and no notify_backup before the notify_fault).
    await Promise.all([...this.trackers.values()].map((tracker) => tracker.known));
    for (const { tracking } of this.instances.values()) tracking.apply();
    this.startFifoReader();
  }

  /**
   * notify_fifo_script: keepalived runs it once, with the FIFO's path appended, to read the
   * notify_fifo lines; it runs as long as vrrpd does (no timeout) and is stopped with it.
   */
  private startFifoReader(): void {
    const { notifyFifoScript: command, notifyFifo: fifo } = this.config.global;
    if (command === undefined) return;
    const { log } = this.ports;
    if (fifo === undefined) {
      log.warn({ event: 'notify-fifo-script-unused', command }, `notify_fifo_script ${command} is not run: there is no notify_fifo for it to read`);
      return;
    }
    const { argv, identity, refused } = this.policy.prepare(command, this.config.global.notifyFifoScriptUser, 'notify_fifo_script');
    if (refused) {
      log.error({ event: 'notify-fifo-script-refused', command, reason: refused }, `notify_fifo_script ${command} is not run: ${refused}`);
      return;
    }
    const reader = new AbortController();
    this.fifoReader = reader;
    log.info({ event: 'notify-fifo-script-started', command, fifo, user: identity.user }, `notify_fifo_script ${command} started, reading ${fifo}`);
    void this.ports.runner.run({ argv: [...argv, fifo], uid: identity.uid, gid: identity.gid, signal: reader.signal }).then((outcome) => {
      if (reader.signal.aborted) return;
      log.warn({ event: 'notify-fifo-script-ended', command, outcome: describeOutcome(outcome) }, `notify_fifo_script ${command} ended (${describeOutcome(outcome)}); FIFO lines wait for another reader`);
    });
  }

  routerAction(instance: string, action: RouterAction, priority: number): void {
    const supervised = this.instances.get(instance);
    if (action.type === 'priority-changed') {
      if (supervised?.config.notifyPriorityChanges) this.notifier.priorityChanged(instance, action.state === 'Master', action.to);
      return;
    }
    if (action.type === 'lower-priority-master') {
      if (supervised) this.notifier.masterRxLowerPriority(instance, supervised.config.notify, priority);
      return;
    }
    if (action.type !== 'transition') return;
    this.reportedStates.set(instance, action.to);
    if (!supervised) return;
    if (action.to === 'Initialize' && action.reason === 'deleted') {
      this.notifier.deleted(instance, supervised.config.notify, priority);
      return;
    }
    const state = notifyStateOf(action.to, action.reason);
    const stopping = action.to === 'Initialize' && action.reason === 'shutdown';
    // keepalived announces a group going to Backup or Fault before its members, and a group
    // becoming Master or stopping once all its members have.
    const groupFirst = state === 'BACKUP' || state === 'FAULT';
    if (supervised.group && groupFirst) this.groupChanged(supervised.group.name, stopping);
    if (state) this.notifier.notify('INSTANCE', instance, supervised.config.notify, state, priority);
    if (supervised.group && !groupFirst) this.groupChanged(supervised.group.name, stopping);
  }

  hostEvent(event: HostEvent): void {
    if (event.type !== 'link') return;
    for (const tracker of this.trackers.values()) tracker.linkChanged?.({ interfaceName: event.interfaceName, up: event.up });
  }

  effectivePriority(instance: string): number {
    const supervised = this.instances.get(instance);
    if (!supervised) throw new Error(`no instance ${instance}`);
    return supervised.tracking.apply().priority;
  }

  status(instance: string): SupervisedStatus {
    const supervised = this.instances.get(instance);
    return {
      trackers: supervised?.tracking.current.contributions ?? [],
      faultReasons: supervised?.tracking.current.faults ?? [],
      syncGroup: supervised?.group?.name ?? null,
    };
  }

  async stop(): Promise<void> {
    for (const tracker of this.trackers.values()) tracker.stop();
    this.fifoReader?.abort();
    this.ports.fifo?.close();
  }

  // ---- building ----

  /** The trackers an instance follows: its own references, then its sync group's, each tracker once. */
  private async entriesFor(instance: VrrpInstanceConfig, group: SyncGroupConfig | undefined, context: SupervisorContext): Promise<TrackedEntry[]> {
    const entries: TrackedEntry[] = [];
    const seen = new Set<string>();
    for (const source of group ? [instance, group] : [instance]) {
      for (const type of this.types) {
        for (const reference of type.references(source)) {
          const key = `${type.kind}:${reference.name}`;
          const definition = type.lookup(reference.name);
          if (!definition || seen.has(key)) continue;
          seen.add(key);
          const tracker = this.existing(key, definition.identity) ?? (await this.build(key, definition.identity, () => definition.create(context)));
          entries.push({ tracker, weight: reference.weight ?? definition.weight, reverse: reference.reverse ?? definition.reverse });
        }
      }
    }
    return entries;
  }

  private async build(key: string, identity: unknown, create: () => Tracker | Promise<Tracker>): Promise<Tracker> {
    const tracker = await create();
    this.trackers.set(key, tracker);
    this.definitions.set(key, identity);
    return tracker;
  }

  /**
   * The tracker already built for `key`, or the one the replaced supervisor ran from an equal
   * definition (taken over with its state, so the predecessor will not stop it).
   */
  private existing(key: string, identity: unknown): Tracker | undefined {
    const own = this.trackers.get(key);
    if (own) return own;
    const previous = this.predecessor;
    const inherited = previous?.trackers.get(key);
    if (!previous || !inherited || !equalValues(previous.definitions.get(key), identity)) return undefined;
    previous.trackers.delete(key);
    this.trackers.set(key, inherited);
    this.definitions.set(key, identity);
    this.adopted.add(inherited);
    return inherited;
  }

  private groupChanged(name: string, stopping: boolean): void {
    const group = this.groups.get(name);
    if (!group) return;
    const states = group.sync.members.map((member) => this.reportedStates.get(member.config.name) ?? member.state);
    let state: NotifyState | undefined;
    if (stopping) state = states.every((s) => s === 'Initialize') ? 'STOP' : undefined;
    else if (states.includes('Fault')) state = 'FAULT';
    else if (states.every((s) => s === 'Master')) state = 'MASTER';
    else if (states.includes('Backup') && !states.includes('Master')) state = 'BACKUP';
    if (!state || state === group.notified) return;
    group.notified = state;
    this.notifier.notify('GROUP', name, group.config.notify, state, 0);
  }
}

