// VRRP's virtual routers on this host: one VirtualRouter per configured instance, wired to the
// host through a Platform.
// Packets flow one way: socket → receiveForVrid → router → actions → HostActions → host.
import { AdvertisementDecoder, decodeAdvertisement, VRRP_MULTICAST_GROUP, type IpContext } from '../../vrrp/packet/advertisement.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { receiveForVrid, type DispatchRejections } from '../../vrrp/protocol/dispatch.js';
import { VirtualRouter } from '../../vrrp/protocol/virtual-router.js';
import { RepeatWatch } from '../../vrrp/protocol/repeat-watch.js';
import type { DaemonHooks, SupervisedStatus } from './hooks.js';
import type { RouterBinding } from './binding.js';
import { HostActions } from './host-actions.js';
import type { Logger } from '../../core/log.js';
import type { AdvertisementChannel, HostEvent, InterfaceState, OpenChannel, Platform, ReceivedPacket } from './ports.js';
import { RejectionSummary } from './rejection-summary.js';
import { rehearseFailover, type Rehearsed } from './rehearsal.js';
import { describeReload, type ReloadSummary } from '../reload-summary.js';
import { planReload, summarise } from './reload-plan.js';

/**
 * The longest a channel whose routers all have their repeats held may leave packets unread
 * (OpenChannel.setReadPause), and at most half the shortest Skew_Time among them: a priority 0
 * read that late still starts its Skew_Time from its arrival, before it has run out.
 */
const READ_PAUSE_MAX_MS = 5;
/** A pause ends at least this long before RepeatWatch checks the earliest held deadline. */
const READ_PAUSE_MARGIN_MS = 10;

export interface VrrpRoutersOptions {
  readonly bindings: readonly RouterBinding[];
  readonly platform: Platform;
  readonly clock: Clock;
  readonly log: Logger;
  /** keepalived vrrp_startup_delay. */
  readonly startupDelayMs?: number;
  /** How often repeated packet rejections are summarised in the log. */
  readonly rejectionSummaryMs?: number;
  /** Tracking, sync groups and notifications (src/tracking/supervisor.ts). */
  readonly hooks?: DaemonHooks;
}

interface RunningRouter {
  readonly binding: RouterBinding;
  readonly router: VirtualRouter;
  readonly actions: HostActions;
  /** The address its advertisements come from; undefined while the interface has none (Fault). */
  source: string | undefined;
  /** `vrrpd priority`: replaces the configured priority until reset. */
  override?: number;
}

/** One instance as `vrrpd status` shows it (the control protocol's stable shape). */
export interface InstanceStatus {
  readonly name: string;
  readonly vrid: number;
  readonly version: 2 | 3;
  readonly family: 'ipv4' | 'ipv6';
  readonly interface: string;
  readonly state: string;
  /** Milliseconds since the last transition. */
  readonly inStateMs: number;
  readonly lastTransitionReason: string | null;
  readonly basePriority: number;
  readonly priorityOverride: number | null;
  readonly effectivePriority: number;
  readonly master: { readonly address: string; readonly priority: number } | null;
  readonly advertIntervalMs: number;
  readonly masterDownIntervalMs: number;
  readonly virtualAddresses: readonly string[];
  readonly statistics: VirtualRouter['statistics'];
  /** Each tracked object: name, kind, ok/failed, weight and what it adds now (empty without hooks). */
  readonly trackers: SupervisedStatus['trackers'];
  /** Why the instance is in Fault (interface, trackers, sync group); empty when it is not. */
  readonly faultReasons: readonly string[];
  /** The vrrp_sync_group it belongs to. */
  readonly syncGroup: string | null;
}

export class InstanceNotFoundError extends Error {
  override readonly name = 'InstanceNotFoundError';
}

export class VrrpRouters {
  private readonly routers = new Map<string, RunningRouter>();
  private readonly channels = new Map<string, OpenChannel>();
  /** The Master_Down_Timers of the Backups whose repeats their socket holds (repeat-watch.ts). */
  private readonly repeats: RepeatWatch;
  /** When RepeatWatch next checks a held deadline (Infinity: nothing held): read pauses end before it. */
  private nextRepeatCheck = Number.POSITIVE_INFINITY;
  /** Counts RepeatWatch's changes of nextRepeatCheck: a hold that changed it has told every channel already. */
  private nextRepeatCheckChanges = 0;
  /** Each router's Skew_Time when its table's read pause was last worked out (countReadPause). */
  private readonly countedSkews = new WeakMap<VirtualRouter, number>();
  /** Which channel each router uses, so a reload can close the channels nobody uses any more. */
  private readonly channelKeys = new WeakMap<VirtualRouter, string>();
  private readonly rejections: RejectionSummary;
  /**
   * The receive path's lookup, one table per interface and family (by `interface|family`): each
   * channel's packet handler holds its table and reads the routers by the VRID byte, no key to
   * build per packet. Filled again whenever instances or channels change. Scanning every instance
   * per packet cost a Backup of 1000 instances most of its CPU.
   */
  private readonly receivers = new Map<string, ReceiverTable>();
  /** Tracking, sync groups and notify; a reload replaces them with the new configuration's. */
  private hooks: DaemonHooks | undefined;
  private stopWatching: (() => void) | undefined;
  /** Kinds of instance (family and version) whose failover has been rehearsed (rehearsal.ts). */
  private readonly rehearsed = new Set<string>();
  /** While start() creates the routers: the rehearsals it runs once they have started. */
  private deferredRehearsals: Rehearsed[] | undefined;
  /** Transition log lines and notify scripts waiting for the end of the turn (afterPackets). */
  private readonly deferredWork: Array<() => void> = [];
  /** The next summary of repeated rejections; on the injected clock, so a virtual one runs it too. */
  private summaryTimer: TimerHandle | undefined;
  /** Per instance, the pending re-reading of its source address after address events (one at a time). */
  private readonly sourceChecks = new WeakMap<RunningRouter, Promise<void>>();

  constructor(private readonly options: VrrpRoutersOptions) {
    this.repeats = new RepeatWatch(options.clock, (at) => {
      this.nextRepeatCheck = at;
      this.nextRepeatCheckChanges++;
      for (const table of this.receivers.values()) this.sendReadPause(table);
    });
    this.hooks = options.hooks;
    this.rejections = new RejectionSummary((report) =>
      options.log.warn(
        { event: 'packets-rejected', scope: report.scope, reason: report.reason, count: report.count, detail: report.detail },
        `${report.scope}: rejected ${report.count} advertisement${report.count === 1 ? '' : 's'} (${report.reason}): ${report.detail}`,
      ),
    );
  }

  get running(): ReadonlyMap<string, RunningRouter> {
    return this.routers;
  }

  async start(): Promise<void> {
    const { platform, log } = this.options;
    // keepalived removes configured VIPs at start; vrrpd removes exactly what a previous run
    // of vrrpd left (its addresses are tagged), and nothing else.
    // Its virtual_rules and virtual_routes first (tagged with its protocol number): removing an
    // address makes the kernel drop the routes whose src it was, unreported.
    const staleRoutes = (await platform.removeStaleRoutes?.()) ?? [];
    if (staleRoutes.length > 0) log.warn({ event: 'stale-routes-removed', routes: staleRoutes }, `removed ${staleRoutes.length} route(s)/rule(s) left by a previous vrrpd: ${staleRoutes.join('; ')}`);
    const stale = await platform.removeStaleAddresses();
    if (stale.length > 0) log.warn({ event: 'stale-addresses-removed', addresses: stale }, `removed ${stale.length} address(es) left by a previous vrrpd: ${stale.join(' ')}`);

    // Every router exists before any starts, so trackers and sync groups see them all first.
    this.deferredRehearsals = [];
    for (const binding of this.options.bindings) await this.startInstance(binding, undefined, undefined);
    await this.attachHooks();
    for (const { router } of this.routers.values()) router.start(this.options.startupDelayMs ?? 0);
    // After the routers start: an address owner's first advertisement, sent as it starts, does
    // not wait for them (a few ms). No failover can need the warm code before this turn ends.
    const rehearsals = this.deferredRehearsals;
    this.deferredRehearsals = undefined;
    for (const rehearsal of rehearsals) rehearseFailover(rehearsal, this.options.log);
    // The clock's expiry path, once: a Backup's only timer, its Master_Down_Timer, is restarted
    // by every advertisement and first expires at its takeover, which then compiled that path
    // before its advertisement could leave (0.17 ms, V8's function events).
    if (rehearsals.length > 0) this.options.clock.setTimer(0, () => undefined);
    this.stopWatching = platform.watch((event) => this.onHostEvent(event));
    this.scheduleRejectionSummary();
  }

  private scheduleRejectionSummary(): void {
    this.summaryTimer = this.options.clock.setTimer(this.options.rejectionSummaryMs ?? 60_000, () => {
      this.rejections.flush();
      this.scheduleRejectionSummary();
    });
  }

  /** Hands every router to the tracking hooks; they fault routers and set priorities as trackers say. */
  private async attachHooks(): Promise<void> {
    await this.hooks?.attach(new Map([...this.routers].map(([name, r]) => [name, r.router])), {
      basePriority: (name) => {
        const running = this.routers.get(name);
        return running?.override ?? running?.binding.router.priority ?? 0;
      },
      interfaceUp: async (name) => (await this.options.platform.interfaceState(name)).up,
    });
  }

  /**
   * The interface's state and the address advertisements go out from: unicast_src_ip, else the
   * interface's primary IPv4 address or its IPv6 link-local one (RFC 5798 §5.1.2.1), which may be
   * missing. Throws if the interface does not exist.
   */
  private async resolveSource(binding: RouterBinding): Promise<{ state: InterfaceState; source: string | undefined }> {
    const state = await this.options.platform.interfaceState(binding.interfaceName);
    const primary = binding.router.family === 'ipv4' ? state.ipv4 : state.ipv6LinkLocal;
    return { state, source: binding.unicastSource ?? primary };
  }

  /** Creates the instance's router; starts it unless `startupDelayMs` is undefined (start() starts them all after attaching hooks). */
  private async startInstance(binding: RouterBinding, override: number | undefined, startupDelayMs: number | undefined): Promise<void> {
    // An instance reads its interface's state three times (its source address, its channel, its
    // announcer) and its VIPs' interface once more, milliseconds apart: one link and one address
    // dump for them all unless it changes the host meanwhile (4 link and 3 address dumps were
    // before an owner's first advertisement; issue 16).
    const releaseReads = this.options.platform.holdHostReads?.();
    try {
      await this.startInstanceHeld(binding, override, startupDelayMs);
    } finally {
      releaseReads?.();
    }
  }

  private async startInstanceHeld(binding: RouterBinding, override: number | undefined, startupDelayMs: number | undefined): Promise<void> {
    const { platform, clock, log } = this.options;
    const config = binding.router;
    const { state, source } = await this.resolveSource(binding);
    const channel = source !== undefined ? await this.channelFor(binding, source) : silentChannel(config.family);
    let actions: HostActions | undefined;
    const router: VirtualRouter = new VirtualRouter(config, {
      clock,
      primaryAddress: channel.sourceAddress,
      emit: (action) => {
        // What is told rather than done (log lines, notify scripts, the FIFO) waits for the packets.
        if (action.type === 'transition' && action.from === 'Master') actions?.leftMaster();
        // Once the turn's work is done, a Master in its Adver_Timer's rhythm may leave its
        // advertisements to the channel (held-sends.ts; issue 16).
        if (action.type === 'send-advertisement' && actions?.mayHoldSends && !config.v2Interop) this.afterPackets(() => this.holdSends(router, actions));
        if (action.type === 'transition' || action.type === 'priority-changed' || action.type === 'lower-priority-master') {
          const hooks = this.hooks;
          const priority = router.priority;
          this.afterPackets(() => {
            actions?.perform(action, priority);
            hooks?.routerAction(config.name, action, priority);
          });
          return;
        }
        actions?.perform(action, router.priority);
      },
    });
    const announcer = await platform.announcer(binding.interfaceName, config.family);
    // One rehearsal per kind of instance warms the code they all share.
    const kind = `${config.family}/v${config.version}`;
    if (source !== undefined && !this.rehearsed.has(kind)) {
      this.rehearsed.add(kind);
      if (this.deferredRehearsals) this.deferredRehearsals.push({ binding, source, announcer });
      else rehearseFailover({ binding, source, announcer }, log);
    }
    actions = new HostActions(binding, { channel, addresses: platform.addresses, announcer, ...(platform.routes ? { routes: platform.routes } : {}) }, log);
    for (const spec of binding.addresses) await platform.addresses.prepare?.(spec);
    announcer.prepare(config.virtualAddresses);
    actions.prepareAdvertisement(router.nextAdvertisement());
    if (source !== undefined) this.channelKeys.set(router, this.channelKey(binding, source));
    this.routers.set(config.name, { binding, router, actions, source, ...(override !== undefined ? { override } : {}) });
    this.indexReceivers();
    if (override !== undefined) router.setPriority(override);
    if (!state.up && !binding.dontTrackPrimary) router.setFault(true, `interface ${binding.interfaceName} is down`);
    if (source === undefined) router.setFault(true, noSourceDetail(binding), 'source-address');
    if (startupDelayMs !== undefined) router.start(startupDelayMs);
  }

  /**
   * Applies a new configuration's instances (SIGHUP, `vrrpd reload`), matched to the running ones
   * as keepalived does (see reload.ts): unchanged ones are not touched, changed ones are updated
   * in place or restarted, removed ones stop as on shutdown, new ones start. Everything that must
   * start is checked first, so a reload that cannot apply throws before changing anything. A
   * runtime priority override stays with its instance. `hooks`, the new configuration's tracking,
   * replace the running ones once the removed instances have stopped (their notify_stop runs).
   */
  async reload(instances: readonly RouterBinding[], hooks?: DaemonHooks): Promise<ReloadSummary> {
    const plan = planReload([...this.routers.values()].map((r) => r.binding), instances);
    // Throws for an interface that does not exist; one without an address waits in Fault.
    for (const binding of [...plan.added, ...plan.restarted.map((kept) => kept.next)]) await this.resolveSource(binding);
    const overrides = new Map([...this.routers].map(([name, r]) => [name, r.override]));
    const keptOverride = (previous: string, next: RouterBinding): number | undefined =>
      next.router.priority === 255 ? undefined : overrides.get(previous);
    for (const name of plan.removed) await this.stopInstance(name, 'deleted');
    for (const kept of plan.restarted) await this.stopInstance(kept.previous, 'shutdown');
    const previousHooks = this.hooks;
    if (hooks) {
      if (previousHooks) hooks.succeed(previousHooks);
      this.hooks = hooks;
    }
    // Before anything starts, so a restarted router whose multicast group changed gets a new socket.
    this.closeUnusedChannels();
    const renamed = [...plan.unchanged, ...plan.updated].map((kept) => ({ kept, running: this.routers.get(kept.previous) }));
    for (const { kept } of renamed) this.routers.delete(kept.previous);
    for (const { kept, running } of renamed) {
      if (!running) continue;
      const override = keptOverride(kept.previous, kept.next);
      this.routers.set(kept.next.router.name, { binding: kept.next, router: running.router, actions: running.actions, source: running.source, ...(override !== undefined ? { override } : {}) });
      if (kept.changes.length === 0) continue;
      running.actions.rebind(kept.next, running.router.state === 'Master');
      running.router.reconfigure(kept.next.router);
      // With new hooks, attaching them sets the priority (base plus tracking weights).
      if (!hooks) running.router.setPriority(override ?? kept.next.router.priority);
    }
    this.indexReceivers();
    const starting = [...plan.restarted.map((kept) => kept.next), ...plan.added];
    for (const kept of plan.restarted) await this.startInstance(kept.next, keptOverride(kept.previous, kept.next), undefined);
    for (const binding of plan.added) await this.startInstance(binding, undefined, undefined);
    if (hooks) {
      await this.attachHooks();
      // After attach: what the new hooks took over keeps running, the rest stops.
      await previousHooks?.stop();
    }
    // A new instance starts as at boot, without vrrp_startup_delay (the host is already up).
    for (const binding of starting) this.routers.get(binding.router.name)?.router.start(0);
    this.closeUnusedChannels();
    const summary = summarise(plan);
    this.options.log.info({ event: 'reloaded', ...summary }, `configuration reloaded: ${describeReload(summary)}`);
    return summary;
  }

  /**
   * The core emits a transition before the advertisement, addresses and announcements it implies
   * (RFC 5798 §6.4). Logging it and running its notify scripts (a fork each) wait until the
   * router's packets have left - the end of this turn of the event loop - as keepalived notifies
   * after sending: a SIGTERM's priority-0 advertisement left 0.2 ms later for its log line alone.
   */
  private afterPackets(work: () => void): void {
    if (this.deferredWork.length === 0) setImmediate(() => this.runDeferredWork());
    this.deferredWork.push(work);
  }

  /** The channel sends `router`'s advertisements from here on, if it may (VirtualRouter.acceptsHeldSends). */
  private holdSends(router: VirtualRouter, actions: HostActions | undefined): void {
    if (!router.acceptsHeldSends || actions === undefined) return;
    const held = actions.holdSends(router.nextAdvertisement(), router.config.advertIntervalMs, router.advertisementDueAt, () => router.releaseHeldSends());
    if (held) router.holdSends(held);
  }

  private runDeferredWork(): void {
    for (const work of this.deferredWork.splice(0)) work();
  }

  /** Stops one instance as on shutdown: a Master sends priority 0 and removes its addresses. */
  private async stopInstance(name: string, reason: 'shutdown' | 'deleted'): Promise<void> {
    const running = this.routers.get(name);
    if (!running) return;
    running.router.shutdown(reason);
    this.runDeferredWork();
    this.routers.delete(name);
    this.indexReceivers();
    await running.actions.settled();
  }

  private closeUnusedChannels(): void {
    const used = new Set([...this.routers.values()].map((r) => this.channelKeys.get(r.router)));
    for (const [key, channel] of this.channels) {
      if (used.has(key)) continue;
      channel.close();
      this.channels.delete(key);
    }
    this.indexOwnSources();
  }

  /** One channel per (interface, family, source): instances sharing it share the socket. */
  private async channelFor(binding: RouterBinding, source: string): Promise<OpenChannel> {
    const family = binding.router.family;
    const key = this.channelKey(binding, source);
    const existing = this.channels.get(key);
    if (existing) return existing;
    const unicast = binding.router.unicastPeers.length > 0;
    const table = this.receiverTable(binding.interfaceName, family);
    const channel = await this.options.platform.openChannel(
      {
        interfaceName: binding.interfaceName,
        family,
        groups: unicast ? [] : [binding.multicastGroup ?? VRRP_MULTICAST_GROUP[family]],
        ...(binding.unicastSource ? { sourceAddress: binding.unicastSource } : {}),
      },
      (packet) => this.onPacket(family, table, packet),
    );
    this.channels.set(key, channel);
    this.indexOwnSources();
    return channel;
  }

  private channelKey(binding: RouterBinding, source: string): string {
    return `${binding.interfaceName}|${binding.router.family}|${source}`;
  }

  /** The table of an interface and family, made on first use and kept (handlers hold it). */
  private receiverTable(interfaceName: string, family: 'ipv4' | 'ipv6'): ReceiverTable {
    const key = `${interfaceName}|${family}`;
    let table = this.receivers.get(key);
    if (!table) {
      const made: ReceiverTable = {
        interfaceName,
        byVrid: [],
        ownSources: [],
        channel: undefined,
        readPause: undefined,
        ip: undefined,
        inbound: { bytes: EMPTY_BYTES, ip: { family, source: '', destination: '' }, source: '', ttl: undefined, receivedAt: undefined },
        rejections: {
          malformed: (rejection) => this.rejections.record(interfaceName, rejection.reason, `${rejection.detail} (from ${made.inbound.source})`),
          refused: (router, rejection) => this.rejections.record(router.config.name, rejection.reason, rejection.detail),
        },
      };
      table = made;
      this.receivers.set(key, table);
      this.indexOwnSources();
    }
    return table;
  }

  private indexReceivers(): void {
    for (const table of this.receivers.values()) table.byVrid = [];
    for (const { binding, router } of this.routers.values()) {
      const { byVrid } = this.receiverTable(binding.interfaceName, router.config.family);
      (byVrid[router.config.vrid] ??= { routers: [], decoder: new AdvertisementDecoder() }).routers.push(router);
    }
    // A router added or removed changes how many must be held before a channel may pause (none
    // may before anything is held: not at start, where this runs once per instance, so the
    // tables are counted at their next use).
    for (const table of this.receivers.values()) {
      table.readPause = undefined;
      if (this.nextRepeatCheck !== Number.POSITIVE_INFINITY) this.sendReadPause(table);
    }
  }

  /** Each table's own sources: those of every channel on its interface (any family, as isOwnSource compared). */
  private indexOwnSources(): void {
    for (const [tableKey, table] of this.receivers) {
      table.ownSources = [...this.channels].filter(([key]) => key.startsWith(`${table.interfaceName}|`)).map(([, channel]) => channel.sourceAddress);
      const own = [...this.channels].filter(([key]) => key.startsWith(`${tableKey}|`));
      table.channel = own.length === 1 ? own[0]![1] : undefined;
    }
  }

  private onPacket(family: 'ipv4' | 'ipv6', table: ReceiverTable, packet: ReceivedPacket): void {
    // The VRID byte is read before decoding; the decoder checks it again.
    const receivers = table.byVrid[packet.bytes[1] ?? 0];
    // Our own multicast copies are not looped back (IP_MULTICAST_LOOP off), but a second
    // instance sharing the source would see them: ignore packets from ourselves.
    if (table.ownSources.includes(packet.source)) return;
    let ip = table.ip;
    if (ip === undefined || ip.source !== packet.source || ip.destination !== packet.destination) ip = table.ip = { family, source: packet.source, destination: packet.destination };
    // The kernel's receipt on the daemon's clock: the socket tells how long the packet waited.
    const receivedAt = packet.ageMs === undefined ? undefined : this.options.clock.now() - packet.ageMs;
    // One object per table for every packet, filled anew: nothing keeps it (issue 16).
    const inbound = table.inbound;
    inbound.bytes = packet.bytes;
    inbound.ip = ip;
    inbound.source = packet.source;
    inbound.ttl = packet.ttl;
    inbound.receivedAt = receivedAt;
    if (receivers === undefined) {
      // Nobody here has this VRID: malformed (said as for our own VRIDs), or someone else's virtual router.
      const decoded = decodeAdvertisement(inbound.bytes, ip);
      if (!decoded.ok) table.rejections.malformed(decoded.rejection);
    } else {
      receiveForVrid(receivers.routers, inbound, receivers.decoder, table.rejections);
      // Its repeats, when they would do only what this one did: counted by the socket (issue 16).
      // Only where one channel hears the interface: with more, each would hand over its copy.
      const router = receivers.routers.length === 1 ? receivers.routers[0]! : undefined;
      const channel = table.channel;
      if (router !== undefined && channel?.holdRepeats) this.holdRepeats(table, router, channel, packet);
    }
    inbound.bytes = EMPTY_BYTES;
  }

  /** Hands the router's repeats to the channel (RepeatWatch.hold); once held, the channel may pause reading. */
  private holdRepeats(table: ReceiverTable, router: VirtualRouter, channel: OpenChannel, packet: ReceivedPacket): void {
    // Its Skew_Time moves only with its priority or Master_Adver_Interval, and either change
    // released its hold first: the table is counted again only when this router's has moved.
    if (table.readPause !== undefined && this.countedSkews.get(router) !== router.skewTimeMs) table.readPause = undefined;
    const changesBefore = this.nextRepeatCheckChanges;
    if (!this.repeats.hold(router, () => channel.holdRepeats?.(router.config.vrid, packet))) return;
    // A hold that moved RepeatWatch's next check has told every channel already.
    if (this.nextRepeatCheckChanges === changesBefore) this.sendReadPause(table);
  }

  /**
   * How long the table's channel may pause reading while all its routers' repeats are held
   * (native-shims/vrrp4_socket.cc, "the read pause"): half the shortest Skew_Time of its
   * routers, at most READ_PAUSE_MAX_MS. Worked out when its routers change (indexReceivers) or
   * one's Skew_Time has (holdRepeats), not per packet.
   */
  private countReadPause(table: ReceiverTable): ReadPause {
    let routers = 0;
    let shortestSkew = Number.POSITIVE_INFINITY;
    for (const entry of table.byVrid) {
      for (const router of entry?.routers ?? []) {
        routers++;
        const skew = router.skewTimeMs;
        this.countedSkews.set(router, skew);
        shortestSkew = Math.min(shortestSkew, skew);
      }
    }
    const delay = Math.min(READ_PAUSE_MAX_MS, shortestSkew / 2);
    return (table.readPause = { routers, delayMs: routers > 0 && delay >= 0.5 ? delay : 0 });
  }

  /** Tells the table's channel its read pause, ending before RepeatWatch's next check. */
  private sendReadPause(table: ReceiverTable): void {
    const { routers, delayMs } = table.readPause ?? this.countReadPause(table);
    table.channel?.setReadPause?.(delayMs, this.nextRepeatCheck - READ_PAUSE_MARGIN_MS, routers);
  }

  private onHostEvent(event: HostEvent): void {
    this.hooks?.hostEvent(event);
    for (const { binding, router, actions } of this.routers.values()) {
      if (event.type === 'link' && event.interfaceName === binding.interfaceName && !binding.dontTrackPrimary) {
        router.setFault(!event.up, `interface ${event.interfaceName} ${event.up ? 'up' : 'down'}`);
      }
      if (event.type === 'address-removed' && router.state === 'Master') {
        const spec = binding.addresses.find((a) => a.address === event.address && a.device === event.interfaceName);
        if (spec && actions.installed.has(spec.address)) actions.removedByOthers(spec);
      }
    }
    if (event.type === 'address-added' || event.type === 'address-removed') this.checkSources(event);
  }

  /**
   * As keepalived: an instance whose advertisements' source address goes (an IPv6 link-local goes
   * with its link) is in Fault until its interface has one again; a new primary IPv4 address
   * replaces a removed one. unicast_src_ip is the operator's choice and is not followed.
   */
  private checkSources(event: HostEvent & { type: 'address-added' | 'address-removed' }): void {
    const family = event.address.includes(':') ? 'ipv6' : 'ipv4';
    for (const [name, running] of this.routers) {
      if (running.binding.unicastSource !== undefined || running.binding.router.family !== family) continue;
      const concerned = event.type === 'address-added' ? running.source === undefined : running.source === event.address;
      if (concerned) this.sourceChecks.set(running, (this.sourceChecks.get(running) ?? Promise.resolve()).then(() => this.recheckSource(name, running)));
    }
  }

  private async recheckSource(name: string, running: RunningRouter): Promise<void> {
    const { binding, router } = running;
    const stillRunning = (): boolean => this.routers.get(name) === running;
    try {
      const { source } = await this.resolveSource(binding);
      if (!stillRunning() || source === running.source) return;
      if (source === undefined) {
        running.source = undefined;
        router.setFault(true, noSourceDetail(binding), 'source-address');
        return;
      }
      const channel = await this.channelFor(binding, source);
      if (!stillRunning()) return;
      const previous = running.source;
      running.actions.reattach(channel);
      running.source = source;
      router.setPrimaryAddress(source);
      this.channelKeys.set(router, this.channelKey(binding, source));
      this.closeUnusedChannels();
      if (previous !== undefined) {
        this.options.log.info(
          { event: 'source-address-changed', instance: name, from: previous, to: source },
          `${name}: advertisements now come from ${source} (${previous} was removed from ${binding.interfaceName})`,
        );
      }
      router.setFault(false, `${binding.interfaceName} has ${source} to send advertisements from`, 'source-address');
    } catch (error) {
      // The interface went away, or the new address failed duplicate address detection.
      if (!stillRunning()) return;
      const message = (error as Error).message;
      this.options.log.error({ event: 'source-address-failed', instance: name, error: message }, `${name}: cannot send advertisements: ${message}`);
      running.source = undefined;
      router.setFault(true, `cannot send advertisements: ${message}`, 'source-address');
    }
  }

  status(): InstanceStatus[] {
    const now = this.options.clock.now();
    return [...this.routers.values()].map(({ binding, router, override }) => {
      const status = router.status();
      return {
        name: status.name,
        vrid: status.vrid,
        version: status.version,
        family: binding.router.family,
        interface: binding.interfaceName,
        state: status.state,
        inStateMs: Math.round(now - status.stateSinceMs),
        lastTransitionReason: status.lastTransitionReason ?? null,
        basePriority: status.basePriority,
        priorityOverride: override ?? null,
        effectivePriority: status.priority,
        master: status.state === 'Master' ? null : (status.lastMaster ?? null),
        advertIntervalMs: binding.router.advertIntervalMs,
        masterDownIntervalMs: status.masterDownIntervalMs,
        virtualAddresses: binding.addresses.map((a) => `${a.address}/${a.prefixLength}`),
        statistics: router.statistics,
        trackers: this.hooks?.status(status.name).trackers ?? [],
        faultReasons: router.faultReasons,
        syncGroup: this.hooks?.status(status.name).syncGroup ?? null,
      };
    });
  }

  /**
   * Sets (or with undefined, removes) an operator's priority override. Mastership then moves by
   * the protocol's own rules: a Master advertises its new priority at once, a Backup that now
   * outranks the Master preempts when its Master_Down_Timer runs out (if preemption is on).
   */
  setPriorityOverride(name: string, priority: number | undefined): InstanceStatus {
    const running = this.routers.get(name);
    if (!running) throw new InstanceNotFoundError(`no instance "${name}"; running: ${[...this.routers.keys()].join(', ') || 'none'}`);
    if (running.binding.router.priority === 255) {
      throw new RangeError(`${name} is the address owner (priority 255); its priority cannot be overridden`);
    }
    if (priority !== undefined && (!Number.isInteger(priority) || priority < 1 || priority > 254)) {
      throw new RangeError(`priority ${priority} is out of range: an override must be 1..254`);
    }
    running.override = priority;
    const base = priority ?? running.binding.router.priority;
    // Tracking weights apply on top of the new base.
    const effective = this.hooks ? this.hooks.effectivePriority(name) : base;
    this.options.log.info(
      { event: 'priority-override', instance: name, override: priority ?? null, effectivePriority: effective },
      priority === undefined ? `${name}: priority override removed, back to ${base}` : `${name}: priority overridden to ${priority}`,
    );
    running.router.setPriority(effective);
    const status = this.status().find((s) => s.name === name);
    if (!status) throw new InstanceNotFoundError(name);
    return status;
  }

  /** Shutdown as keepalived does on SIGTERM: Masters send priority 0, addresses are removed. */
  async stop(): Promise<void> {
    // Priority 0 first (a Backup takes over after Skew_Time from it); the rest can wait.
    for (const { router } of this.routers.values()) router.shutdown();
    this.runDeferredWork();
    this.stopWatching?.();
    this.summaryTimer?.cancel();
    await this.hooks?.stop();
    await Promise.all([...this.routers.values()].map(({ actions }) => actions.settled()));
    for (const channel of this.channels.values()) channel.close();
    this.channels.clear();
    this.rejections.flush();
  }
}

/** Why an instance cannot advertise: the Fault detail while it waits for an address. */
function noSourceDetail(binding: RouterBinding): string {
  const wanted = binding.router.family === 'ipv4' ? 'IPv4 address' : 'IPv6 link-local address';
  return `interface ${binding.interfaceName} has no ${wanted} to send advertisements from`;
}

/**
 * Stands in for the socket of an instance whose interface has no address to send from: it is in
 * Fault, where a router sends nothing, until the address comes (recheckSource).
 */
function silentChannel(family: 'ipv4' | 'ipv6'): AdvertisementChannel {
  return { sourceAddress: family === 'ipv4' ? '0.0.0.0' : '::', send: () => undefined };
}

/** One interface and family's receivers (VrrpRouters.receivers). */
interface ReceiverTable {
  readonly interfaceName: string;
  /** Routers by VRID, with the decoder that remembers their last packet. */
  byVrid: ({ readonly routers: VirtualRouter[]; readonly decoder: AdvertisementDecoder } | undefined)[];
  /** The source addresses of our channels on the interface: packets from them are our own. */
  ownSources: string[];
  /** The channel of this interface and family when it has one only. */
  channel: OpenChannel | undefined;
  /** Its routers and the read pause they allow (VrrpRouters.countReadPause); undefined until counted. */
  readPause: ReadPause | undefined;
  /** The IP context of the last packet, given again while source and destination stay the same. */
  ip: IpContext | undefined;
  /** The packet being delivered (VrrpRouters.onPacket fills it for each). */
  readonly inbound: DeliveredPacket;
  readonly rejections: DispatchRejections;
}

/** How many routers a channel serves, and how long it may leave packets unread once all have their repeats held. */
interface ReadPause {
  readonly routers: number;
  readonly delayMs: number;
}

/** What receiveForVrid is given, one object per table filled anew for each packet. */
interface DeliveredPacket {
  bytes: Uint8Array;
  ip: IpContext;
  source: string;
  ttl: number | undefined;
  receivedAt: number | undefined;
}

const EMPTY_BYTES = new Uint8Array(0);

