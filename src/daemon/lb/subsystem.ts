// keepalived's virtual servers as a subsystem of the daemon (../subsystem.ts): each virtual
// server's pool (src/lb/pool.ts) fed by its real servers' checkers, the rules the pools call for
// written to nftables (rules.ts), notify and quorum scripts run as keepalived runs them. The rules
// are the same on every director whatever its VRRP state: they match the VIPs, which only the
// Master receives, so a failover changes no rule.
import { collectIssues } from '../../config/issues.js';
import type { VrrpdConfig } from '../../config/model.js';
import { resolveVirtualServers, type ResolvedChecker, type ResolvedRealServer, type ResolvedVirtualServer } from '../../config/validate-virtual-servers.js';
import type { MiscCheckConfig } from '../../config/virtual-server.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { equalValues } from '../../core/equal.js';
import type { Logger } from '../../core/log.js';
import type { CommandHandler } from '../../control/server.js';
import type { CheckerHost } from '../../checkers/checker.js';
import { CheckLoop, retrying, type CheckOutcome, type RealServerCheck } from '../../lb/check-loop.js';
import { CONNECTION_SCHEDULERS, type ConnectionCount, type VirtualServerSpec } from '../../lb/model.js';
import { ServerPool, type PoolEvent } from '../../lb/pool.js';
import { buildTables, objectNames, type ServiceRules, type Tables } from '../../lb/ruleset.js';
import { schedule } from '../../lb/scheduler.js';
import type { ReloadSummary } from '../reload-summary.js';
import type { Subsystem, SubsystemFactory } from '../subsystem.js';
import { LB_KIND } from './kind.js';
import { renderLbMetrics, type CounterSnapshot } from './metrics.js';
import type { AddressWatchPort, ConnectionTrackingPort, InterfacePort, NftablesPort } from './ports.js';
import { builtinCheck } from './builtin-check.js';
import { RulesWriter } from './rules.js';
import { MiscCheck, runNotifyScript, type ScriptHost } from './scripts.js';
import { virtualServerSpec } from './specs.js';
import { lbStatus, type VirtualServerStatus } from './status.js';
import { watchedCheck, type WatchedCheck } from './watched-checks.js';
import type { BfdSessionStates } from '../bfd/session-states.js';
import type { FileWatchPort } from '../../tracking/file-tracker.js';

/** How often lc, wlc, sed, nq and ovf read conntrack and lay out their next choices. */
export const CONNECTION_REFRESH_MS = 1000;
/** How often the counters behind the keepalived_lvs_* metrics are read. */
export const STATS_REFRESH_MS = 5000;

/** What the load balancer needs from the host and the wiring. */
export interface LbHost {
  readonly clock: Clock;
  readonly log: Logger;
  readonly nft: NftablesPort;
  /** Who scripts (notify, quorum, MISC_CHECK) run as, for a configuration (its script_user). */
  scripts(config: VrrpdConfig): ScriptHost;
  /** Where the built-in checkers run (HTTP_GET, SSL_GET, TCP_CHECK, PING_CHECK, DNS_CHECK, UDP_CHECK, SMTP_CHECK); MISC_CHECK is the subsystem's own script. */
  readonly checkers?: CheckerHost;
  readonly conntrack?: ConnectionTrackingPort;
  /** For ha_suspend. */
  readonly addresses?: AddressWatchPort;
  /** For DR. */
  readonly interfaces?: InterfacePort;
  /** [0, 1), for the checkers' warmup (the first run waits warmup × random); tests fix it. */
  readonly random?: () => number;
  /** FILE_CHECK's track_files. */
  readonly files?: FileWatchPort;
  /** BFD_CHECK's sessions, the BFD subsystem's. */
  readonly bfdStates?: BfdSessionStates;
}

export function lbSubsystem(host: LbHost): SubsystemFactory {
  return {
    ...LB_KIND,
    create: async (config) => new LbSubsystem(config, host),
  };
}

interface Service {
  readonly resolved: ResolvedVirtualServer;
  readonly spec: VirtualServerSpec;
  readonly pool: ServerPool;
  /** lc, wlc, sed, nq, ovf: the counts read last, and the new connections expected before the next read. */
  counts?: ConnectionCount[];
  expectedArrivals?: number;
  /** The connections counted up to the last read (the counters' total), for the arrival rate. */
  connectionsSeen?: number;
}

/** A checker at work: run every delay_loop (CheckLoop), or watched (FILE_CHECK, BFD_CHECK). */
type RunningCheck = { readonly definition: ResolvedChecker } & ({ readonly loop: CheckLoop; readonly watch?: never } | { readonly watch: WatchedCheck; readonly loop?: never });

const checkKey = (vs: string, rs: string, checker: string): string => `${vs}|${rs}|${checker}`;

export class LbSubsystem implements Subsystem {
  readonly name = 'lb';
  private services = new Map<string, Service>();
  private checks = new Map<string, RunningCheck>();
  private readonly writer: RulesWriter;
  private scriptHost: ScriptHost;
  private present = new Set<string>();
  private stopWatching: (() => void) | undefined;
  private refreshTimer: TimerHandle | undefined;
  private statsTimer: TimerHandle | undefined;
  private counters: CounterSnapshot = { inet: new Map(), netdev: new Map() };
  private updating: Promise<void> | undefined;
  private updatePending = false;
  /** Scripts that wait for the rules change they report (keepalived changes IPVS, then notifies). */
  private afterRules: Array<() => void> = [];
  private stopped = false;
  /** Whether start wrote the tables: after a start that failed there (no nft), removing them on the way out is only a clean-up. */
  private written = false;
  /** FILE_CHECKs and BFD_CHECKs read by prepare (their verdicts start the pools), started by startChecks. */
  private preparedWatches = new Map<string, WatchedCheck>();

  constructor(
    private config: VrrpdConfig,
    private readonly host: LbHost,
  ) {
    this.writer = new RulesWriter(host.nft, host.log);
    this.scriptHost = host.scripts(config);
  }

  async start(): Promise<void> {
    const services = await this.prepare(this.config);
    if (services.some((service) => service.resolved.haSuspend) && this.host.addresses) {
      this.present = await this.host.addresses.present();
      this.stopWatching = this.host.addresses.watch((address, present) => this.addressChanged(address, present));
    }
    this.services = new Map(services.map((service) => [service.resolved.key, service]));
    await this.writer.start(this.tables());
    this.written = true;
    this.host.log.info({ event: 'lb-started', virtualServers: [...this.services.keys()] }, `load balancer: ${this.services.size} virtual server(s) in nftables`);
    for (const service of this.services.values()) this.handle(service, service.pool.takeInitialEvents());
    for (const service of this.services.values()) this.startChecks(service);
    this.scheduleRefresh();
    this.scheduleStats(0);
  }

  async reload(config: VrrpdConfig): Promise<ReloadSummary> {
    // Everything that can fail comes first: a configuration whose services cannot be built
    // changes nothing.
    const prepared = await this.prepare(config, this.services);
    const before = this.services;
    const after = new Map(prepared.map((service) => [service.resolved.key, service]));
    const summary: { unchanged: string[]; updated: Array<{ instance: string; changes: string[] }>; restarted: never[]; removed: string[]; added: string[] } = {
      unchanged: [],
      updated: [],
      restarted: [],
      removed: [],
      added: [],
    };
    for (const [key, service] of after) {
      const old = before.get(key);
      if (!old) summary.added.push(key);
      else {
        const changes = (Object.keys(service.resolved) as Array<keyof ResolvedVirtualServer>).filter((field) => field !== 'path' && !equalValues(old.resolved[field], service.resolved[field]));
        if (changes.length === 0) summary.unchanged.push(key);
        else summary.updated.push({ instance: key, changes });
        service.counts = old.counts;
        service.expectedArrivals = old.expectedArrivals;
        service.connectionsSeen = old.connectionsSeen;
      }
    }
    for (const key of before.keys()) if (!after.has(key)) summary.removed.push(key);

    this.services = after;
    try {
      await this.writer.update(this.tables());
    } catch (error) {
      this.services = before;
      throw error;
    }
    this.config = config;
    this.scriptHost = this.host.scripts(config);
    // Checkers whose definition and server stay keep running (and their timing); the rest restart.
    const keep = new Set<string>();
    for (const service of after.values()) {
      for (const rs of service.resolved.realServers) {
        for (const checker of rs.checkers) {
          const key = checkKey(service.resolved.key, rs.key, checker.id);
          if (equalValues(this.checks.get(key)?.definition, checker)) keep.add(key);
        }
      }
    }
    for (const [key, check] of this.checks) {
      if (keep.has(key)) continue;
      stopCheck(check);
      this.checks.delete(key);
    }
    for (const service of after.values()) this.startChecks(service);
    if (after.size > 0 && [...after.values()].some((service) => service.resolved.haSuspend) && this.host.addresses && !this.stopWatching) {
      this.present = await this.host.addresses.present();
      this.stopWatching = this.host.addresses.watch((address, present) => this.addressChanged(address, present));
    }
    this.scheduleRefresh();
    const said = [
      ...(summary.updated.length > 0 ? [`updated ${summary.updated.map((entry) => `${entry.instance} (${entry.changes.join(', ')})`).join(', ')}`] : []),
      ...(summary.added.length > 0 ? [`added ${summary.added.join(', ')}`] : []),
      ...(summary.removed.length > 0 ? [`removed ${summary.removed.join(', ')}`] : []),
      ...(summary.unchanged.length > 0 ? [`unchanged ${summary.unchanged.join(', ')}`] : []),
    ];
    // The VRRP routers log their part of a reload; this is the virtual servers'.
    this.host.log.info({ event: 'lb-reloaded', ...summary }, `load balancer reloaded: ${said.join('; ') || 'no virtual servers'}`);
    return summary;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const check of this.checks.values()) stopCheck(check);
    this.checks.clear();
    this.preparedWatches.clear();
    this.stopWatching?.();
    this.refreshTimer?.cancel();
    this.statsTimer?.cancel();
    // keepalived with omega reports the servers and the quorum down on its way out.
    for (const service of this.services.values()) this.handle(service, service.pool.stop(service.resolved.omega));
    await this.updating?.catch(() => undefined);
    await this.writer.stop().catch((error: unknown) => {
      // After a start that never wrote them, this only clears what a killed run may have left: its
      // failure (nft missing, as the start's error already said) is no news.
      if (!this.written) this.host.log.debug({ event: 'lb-rules-failed', error: (error as Error).message }, `no load balancer tables removed: ${(error as Error).message}`);
      else this.host.log.error({ event: 'lb-rules-failed', error: (error as Error).message }, `could not remove the load balancer's nftables tables: ${(error as Error).message}`);
    });
  }

  status(): { virtualServers: VirtualServerStatus[] } {
    return { virtualServers: lbStatus([...this.services.values()], this.checks, (vs, rs, checker) => checkKey(vs, rs, checker), this.present) };
  }

  metrics(): string {
    return renderLbMetrics([...this.services.values()], this.counters);
  }

  summary(): string {
    const parts = [...this.services.values()].map((service) => {
      const servers = service.pool.status();
      return `${service.resolved.key} ${servers.filter((server) => server.inService).length}/${servers.length} up${service.pool.sorryServerActive ? ' (sorry server)' : ''}`;
    });
    return parts.join(', ');
  }

  commands(): ReadonlyArray<readonly [string, CommandHandler]> {
    return [];
  }

  /** The services of a configuration, with their pools (a server that stays keeps its state). Throws when one cannot be built on this host. */
  private async prepare(config: VrrpdConfig, previous?: ReadonlyMap<string, Service>): Promise<Service[]> {
    const resolved = resolveVirtualServers(config, collectIssues());
    const services: Service[] = [];
    const watches = new Map<string, WatchedCheck>();
    for (const vs of resolved) {
      const spec = await virtualServerSpec(vs, config, this.host.interfaces);
      for (const rs of vs.realServers) {
        for (const checker of rs.checkers) {
          const definition = checker.config;
          if (definition.type !== 'FILE_CHECK' && definition.type !== 'BFD_CHECK') {
            this.makeCheck(vs, rs, checker);
            continue;
          }
          const key = checkKey(vs.key, rs.key, checker.id);
          const running = this.checks.get(key);
          if (running?.watch && equalValues(running.definition, checker)) continue;
          const watch = watchedCheck(definition, checker.alpha, this.host, `${vs.key} real server ${rs.key} ${checker.id}`);
          await watch.initialise();
          watches.set(key, watch);
        }
      }
      const old = previous?.get(vs.key);
      services.push({ resolved: vs, spec, pool: new ServerPool(spec, this.watchedState(vs, watches, old ? this.carriedState(old, vs) : undefined)) });
    }
    this.preparedWatches = watches;
    return services;
  }

  /**
   * The pool's start with its watched checkers' verdicts in it: a FILE_CHECK is known from the
   * start (keepalived reads the file before it adds the server), and a BFD_CHECK's state is held.
   */
  private watchedState(vs: ResolvedVirtualServer, prepared: ReadonlyMap<string, WatchedCheck>, carried: ReturnType<ServerPool['snapshot']> | undefined): ReturnType<ServerPool['snapshot']> | undefined {
    let state = carried;
    for (const rs of vs.realServers) {
      for (const checker of rs.checkers) {
        const key = checkKey(vs.key, rs.key, checker.id);
        const watch = prepared.get(key) ?? this.checks.get(key)?.watch;
        if (!watch) continue;
        state ??= new Map();
        const before = state.get(rs.key);
        const checkers = new Map(before?.checkers);
        const adjustments = new Map(before?.adjustments);
        const { up, adjustment } = watch.verdict;
        checkers.set(checker.id, up);
        if (adjustment !== 0) adjustments.set(checker.id, adjustment);
        else adjustments.delete(checker.id);
        // `alive` is the pool's to work out from the checkers.
        state.set(rs.key, { alive: before?.alive ?? up, checkers, adjustments });
      }
    }
    return state;
  }

  /** The pool state that carries over a reload: per server, only the checkers whose definition did not change. */
  private carriedState(old: Service, vs: ResolvedVirtualServer): ReturnType<ServerPool['snapshot']> {
    const snapshot = old.pool.snapshot();
    for (const rs of vs.realServers) {
      const state = snapshot.get(rs.key);
      const before = old.resolved.realServers.find((candidate) => candidate.key === rs.key);
      if (!state || !before) continue;
      const checkers = new Map([...state.checkers].filter(([id]) => equalValues(before.checkers.find((c) => c.id === id), rs.checkers.find((c) => c.id === id))));
      snapshot.set(rs.key, { ...state, checkers });
    }
    return snapshot;
  }

  private makeCheck(vs: ResolvedVirtualServer, rs: ResolvedRealServer, checker: ResolvedChecker): RealServerCheck {
    const what = `${vs.key} real server ${rs.key} ${checker.id}`;
    if (checker.config.type === 'FILE_CHECK' || checker.config.type === 'BFD_CHECK') throw new Error(`${what}: ${checker.config.type} is watched, not run`);
    if (checker.config.type === 'MISC_CHECK') {
      const misc: MiscCheckConfig = checker.config;
      return retrying((signal) => new MiscCheck(this.scriptHost, misc, misc.timeoutMs ?? checker.delayLoopMs, what).run(signal), {
        retry: checker.retry,
        delayBeforeRetryMs: checker.delayBeforeRetryMs,
        clock: this.host.clock,
      });
    }
    const checkers = this.host.checkers;
    if (!checkers) throw new Error(`${what}: ${checker.config.type} needs the built-in checkers, which this host does not run`);
    return builtinCheck(checker.config, checkers);
  }

  private startChecks(service: Service): void {
    const vsKey = service.resolved.key;
    for (const rs of service.resolved.realServers) {
      for (const checker of rs.checkers) {
        const key = checkKey(vsKey, rs.key, checker.id);
        if (this.checks.has(key)) continue;
        const watch = this.preparedWatches.get(key);
        if (watch) {
          this.preparedWatches.delete(key);
          this.checks.set(key, { definition: checker, watch });
          watch.start(() => this.watchedChanged(vsKey, rs.key, checker, watch));
          continue;
        }
        const loop = new CheckLoop(this.makeCheck(service.resolved, rs, checker), {
          clock: this.host.clock,
          delayLoopMs: checker.delayLoopMs,
          warmupMs: checker.warmupMs,
          random: this.host.random ?? Math.random,
          suspended: () => this.suspended(vsKey),
          onResult: (outcome) => this.checked(vsKey, rs.key, checker, outcome),
        });
        this.checks.set(key, { definition: checker, loop });
        loop.start();
      }
    }
  }

  /** ha_suspend: a service's checkers wait while none of its addresses is on the host. */
  private suspended(vsKey: string): boolean {
    const service = this.services.get(vsKey);
    if (!service?.resolved.haSuspend) return false;
    return !service.resolved.addresses.some((address) => this.present.has(address));
  }

  private addressChanged(address: string, present: boolean): void {
    const wasSuspended = new Map([...this.services.keys()].map((key) => [key, this.suspended(key)]));
    if (present) this.present.add(address);
    else this.present.delete(address);
    for (const [key, was] of wasSuspended) {
      const now = this.suspended(key);
      if (now !== was) this.host.log.info({ event: now ? 'lb-checks-suspended' : 'lb-checks-resumed', virtualServer: key, address }, `${key}: ${now ? 'suspending' : 'resuming'} its checkers (ha_suspend: ${address} ${present ? 'added' : 'removed'})`);
    }
  }

  private checked(vsKey: string, rsKey: string, checker: ResolvedChecker, outcome: CheckOutcome): void {
    const service = this.services.get(vsKey);
    if (!service || this.stopped) return;
    const events = service.pool.checkerResult(rsKey, checker.id, outcome.ok);
    if (outcome.ok && checker.config.type === 'MISC_CHECK' && checker.config.dynamic) events.push(...service.pool.checkerWeight(rsKey, checker.id, outcome.weight));
    // A failure is logged when it takes the server down; with log_all_failures, every failed run.
    const logAll = 'logAllFailures' in checker.config && checker.config.logAllFailures;
    if (!outcome.ok && (logAll || events.some((event) => event.type === 'server-down'))) {
      this.host.log.warn({ event: 'lb-check-failed', virtualServer: vsKey, realServer: rsKey, checker: checker.id, detail: outcome.detail }, `${vsKey}: ${checker.id} of ${rsKey} failed: ${outcome.detail}`);
    }
    this.handle(service, events);
  }

  /** A FILE_CHECK's number or a BFD_CHECK's session changed: the verdict, and the weight it adds, at once. */
  private watchedChanged(vsKey: string, rsKey: string, checker: ResolvedChecker, watch: WatchedCheck): void {
    const service = this.services.get(vsKey);
    if (!service || this.stopped) return;
    const { up, adjustment, detail } = watch.verdict;
    const events = [...service.pool.checkerResult(rsKey, checker.id, up), ...service.pool.checkerAdjustment(rsKey, checker.id, adjustment)];
    // keepalived: "BFD check of [NAME] RS(...) is UP|DOWN"; a track_file's change is logged by its reader.
    this.host.log.info({ event: 'lb-watched-check', virtualServer: vsKey, realServer: rsKey, checker: checker.id, up, detail }, `${vsKey}: ${checker.id} of ${rsKey} is ${up ? 'UP' : 'DOWN'}: ${detail}`);
    this.handle(service, events);
  }

  /** Logs and scripts for what a pool reports, and the rules when its destinations changed. */
  private handle(service: Service, events: readonly PoolEvent[]): void {
    const vs = service.resolved;
    let changed = false;
    const scripts: Array<() => void> = [];
    for (const event of events) {
      switch (event.type) {
        case 'server-up':
        case 'server-down': {
          const up = event.type === 'server-up';
          const rs = vs.realServers.find((candidate) => candidate.key === event.server.key);
          if (!event.first) {
            changed = true;
            const verb = up ? (event.server.inhibitOnFailure ? 'Enabling' : 'Adding') : event.server.inhibitOnFailure ? 'Disabling' : 'Removing';
            this.host.log.info({ event: up ? 'lb-server-up' : 'lb-server-down', virtualServer: vs.key, realServer: event.server.key }, `${verb} service ${event.server.key} ${up ? 'to' : 'from'} VS ${vs.key}`);
          }
          const script = up ? rs?.notifyUp : rs?.notifyDown;
          if (script) scripts.push(() => runNotifyScript(this.scriptHost, script, `${vs.key} real server ${event.server.key} notify_${up ? 'up' : 'down'}`));
          break;
        }
        case 'quorum-up':
        case 'quorum-down': {
          const up = event.type === 'quorum-up';
          this.host.log.info(
            { event: up ? 'lb-quorum-up' : 'lb-quorum-down', virtualServer: vs.key, weight: event.weight, threshold: event.threshold },
            `${up ? 'Gained' : event.initial ? 'Starting with quorum down' : 'Lost'} quorum ${vs.quorum}${up ? '+' : '-'}${vs.hysteresis}=${event.threshold} ${up ? '<=' : '>'} ${event.weight} for VS ${vs.key}`,
          );
          const script = up ? vs.quorumUp : vs.quorumDown;
          if (script) scripts.push(() => runNotifyScript(this.scriptHost, script, `${vs.key} quorum_${up ? 'up' : 'down'}`));
          break;
        }
        case 'sorry-server-in':
        case 'sorry-server-out':
          changed = true;
          this.host.log.info({ event: event.type === 'sorry-server-in' ? 'lb-sorry-server-in' : 'lb-sorry-server-out', virtualServer: vs.key, sorryServer: event.server.key }, `${event.type === 'sorry-server-in' ? 'Adding sorry server' : 'Removing sorry server'} ${event.server.key} ${event.type === 'sorry-server-in' ? 'to' : 'from'} VS ${vs.key}`);
          break;
        case 'weight-changed':
          changed = true;
          this.host.log.info({ event: 'lb-weight-changed', virtualServer: vs.key, realServer: event.server.key, from: event.from, to: event.to }, `Changing weight from ${event.from} to ${event.to} for service ${event.server.key} of VS ${vs.key}`);
          break;
      }
    }
    if (changed && !this.stopped) {
      this.afterRules.push(...scripts);
      this.scheduleUpdate();
    } else for (const script of scripts) script();
  }

  /** The tables every pool calls for now. */
  private tables(): Tables {
    const rules: ServiceRules[] = [...this.services.values()].map((service) => {
      const destinations = service.pool.destinations();
      const { spec } = service;
      const counts = service.counts ? destinations.map((destination) => service.counts![service.spec.realServers.findIndex((rs) => rs.key === destination.server.key)] ?? { active: 0, inactive: 0 }) : undefined;
      return {
        spec,
        destinations,
        selection: schedule(spec.scheduler, destinations, {
          hashPort: spec.hashPort,
          hashFallback: spec.hashFallback,
          ...(counts ? { counts } : {}),
          // Before anything is known, one new connection per server in service.
          expectedArrivals: service.expectedArrivals ?? destinations.filter((destination) => destination.weight > 0).length,
        }),
        configured: [...spec.realServers, ...(spec.sorryServer && !spec.realServers.some((rs) => rs.key === spec.sorryServer!.key) ? [spec.sorryServer] : [])],
      };
    });
    return buildTables(rules);
  }

  /** One rules update at a time; changes that come meanwhile are taken by the next one. */
  private scheduleUpdate(): void {
    // After stop, nothing may write: a conntrack read still in flight at SIGTERM would otherwise
    // queue an update behind the stop's `delete table` and put the table back (seen in CI).
    if (this.stopped) return;
    if (this.updating) {
      this.updatePending = true;
      return;
    }
    const started = this.host.clock.now();
    const scripts = this.afterRules.splice(0);
    this.updating = this.writer
      .update(this.tables())
      .finally(() => {
        for (const script of scripts) script();
      })
      .then(
        (result) => {
          if (result.commands > 0) this.host.log.debug({ event: 'lb-rules-applied', commands: result.commands, replaced: result.replaced, ms: Math.round((this.host.clock.now() - started) * 10) / 10 }, `load balancer rules updated (${result.commands} commands)`);
        },
        (error: unknown) => this.host.log.error({ event: 'lb-rules-failed', error: (error as Error).message }, `could not update the load balancer's rules: ${(error as Error).message}`),
      )
      .finally(() => {
        this.updating = undefined;
        if (this.updatePending && !this.stopped) {
          this.updatePending = false;
          this.scheduleUpdate();
        }
      });
  }

  /** lc, wlc, sed, nq, ovf: conntrack's counts, read every CONNECTION_REFRESH_MS. */
  private scheduleRefresh(): void {
    this.refreshTimer?.cancel();
    this.refreshTimer = undefined;
    if (this.stopped || ![...this.services.values()].some((service) => CONNECTION_SCHEDULERS.has(service.spec.scheduler))) return;
    this.refreshTimer = this.host.clock.setTimer(CONNECTION_REFRESH_MS, () => {
      void this.refreshCounts().finally(() => this.scheduleRefresh());
    });
  }

  private async refreshCounts(): Promise<void> {
    try {
      const entries = (await this.host.conntrack?.destinationCounts()) ?? [];
      const counters = await this.host.nft.counters('inet');
      const drCounters = await this.host.nft.counters('netdev');
      for (const service of this.services.values()) {
        if (!CONNECTION_SCHEDULERS.has(service.spec.scheduler)) continue;
        const { spec } = service;
        const vipPort = spec.match.kind === 'address' ? spec.match.port : undefined;
        service.counts = await Promise.all(
          spec.realServers.map(async (rs) => {
            if (spec.dr) return { active: await this.drFlows(service, rs.address), inactive: 0 };
            let active = 0;
            let inactive = 0;
            for (const entry of entries) {
              if (entry.destination.address !== rs.address || (rs.port !== 0 && entry.destination.port !== rs.port)) continue;
              if (spec.match.kind === 'address' && (entry.service.address !== spec.match.address || (vipPort !== 0 && entry.service.port !== vipPort))) continue;
              active += entry.active;
              inactive += entry.inactive;
            }
            return { active, inactive };
          }),
        );
        // The arrival rate: the connections counted since the last read.
        const total = [...(spec.dr ? drCounters : counters)].filter(([name]) => name.endsWith('_conns') && name.startsWith(this.serviceObjectPrefix(service))).reduce((sum, [, counter]) => sum + counter.packets, 0);
        if (service.connectionsSeen !== undefined) service.expectedArrivals = Math.max(total - service.connectionsSeen, spec.realServers.length);
        service.connectionsSeen = total;
      }
      this.scheduleUpdate();
    } catch (error) {
      this.host.log.warn({ event: 'lb-counts-failed', error: (error as Error).message }, `could not read connection counts: ${(error as Error).message}`);
    }
  }

  /** DR has no conntrack entries: a server's connections are its flows in the service's flow map. */
  private async drFlows(service: Service, address: string): Promise<number> {
    const elements = await this.host.nft.elements('netdev', 'map', `${this.serviceObjectPrefix(service)}_flows`);
    return elements.filter((element) => element.value === address).length;
  }

  private serviceObjectPrefix(service: Service): string {
    return objectNames([...this.services.values()].map((candidate) => candidate.spec)).get(service.spec.key) ?? '';
  }

  private scheduleStats(delayMs: number): void {
    if (this.stopped) return;
    this.statsTimer = this.host.clock.setTimer(delayMs, () => {
      void (async () => {
        try {
          this.counters = { inet: await this.host.nft.counters('inet'), netdev: await this.host.nft.counters('netdev') };
        } catch (error) {
          this.host.log.debug({ event: 'lb-stats-failed', error: (error as Error).message }, `could not read the load balancer's counters: ${(error as Error).message}`);
        }
        this.scheduleStats(STATS_REFRESH_MS);
      })();
    });
  }
}

function stopCheck(check: RunningCheck): void {
  if (check.loop) check.loop.stop();
  else check.watch.stop();
}
