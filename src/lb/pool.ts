// One virtual server's pool as keepalived keeps it (check/ipwrapper.c): which real servers are in
// service from their checkers' results, their weights, the quorum with its hysteresis, and the
// sorry server that replaces the real servers while the quorum is lost. Pure: results come in,
// events (for notify scripts and logs) come out, and destinations() says what the rules hold.
import type { Destination, RealServerSpec, ServerSpec, VirtualServerSpec } from './model.js';

/** IPVS's largest weight (IPVS_WEIGHT_LIMIT). */
export const WEIGHT_LIMIT = 65535;

export type PoolEvent =
  /** A real server entered or left service: notify_up / notify_down. `first`: its first check confirmed the state it started in. */
  | { readonly type: 'server-up' | 'server-down'; readonly server: RealServerSpec; readonly first?: boolean }
  /** quorum_up / quorum_down; `initial`: the state found at start (keepalived notifies a start without quorum only when there is a sorry server). */
  | { readonly type: 'quorum-up' | 'quorum-down'; readonly weight: number; readonly threshold: number; readonly initial: boolean }
  /** The sorry server entered or left the pool. */
  | { readonly type: 'sorry-server-in' | 'sorry-server-out'; readonly server: ServerSpec }
  /** A MISC_CHECK with misc_dynamic, or a weighted FILE_CHECK, changed a server's weight. */
  | { readonly type: 'weight-changed'; readonly server: RealServerSpec; readonly from: number; readonly to: number };

/** A real server's state, carried over a reload. */
export interface ServerState {
  readonly alive: boolean;
  /** Checker id -> its last state (up or failed). */
  readonly checkers: ReadonlyMap<string, boolean>;
  /** Checker id -> its weight adjustment (misc_dynamic, FILE_CHECK). */
  readonly adjustments: ReadonlyMap<string, number>;
}

export interface ServerStatus {
  readonly key: string;
  readonly address: string;
  readonly port: number;
  readonly alive: boolean;
  /** The weight in the rules: 0 while out of service with inhibit_on_failure (or while the sorry server serves). */
  readonly weight: number;
  readonly configuredWeight: number;
  readonly inService: boolean;
  readonly failedCheckers: readonly string[];
}

interface Server {
  readonly spec: RealServerSpec;
  alive: boolean;
  readonly checkers: Map<string, boolean>;
  readonly hasRun: Set<string>;
  readonly adjustments: Map<string, number>;
}

/** keepalived's real_weight: the effective weight clamped to what IPVS takes. */
function clampWeight(weight: number): number {
  return Math.min(WEIGHT_LIMIT, Math.max(0, weight));
}

export class ServerPool {
  private readonly servers: Server[];
  private quorumUp: boolean;
  private sorryInPool = false;
  private readonly initialEvents: PoolEvent[] = [];

  /**
   * At start a server is in service unless one of its checkers has `alpha`; over a reload a server
   * that stays keeps its state (keepalived does not re-add a failed server on reload).
   */
  constructor(
    readonly spec: VirtualServerSpec,
    previous?: ReadonlyMap<string, ServerState>,
  ) {
    this.servers = spec.realServers.map((server) => {
      const before = previous?.get(server.key);
      const checkers = new Map(server.checkers.map((checker) => [checker.id, before?.checkers.get(checker.id) ?? !checker.alpha]));
      const adjustments = new Map([...(before?.adjustments ?? new Map<string, number>())].filter(([id]) => checkers.has(id)));
      const failed = [...checkers.values()].some((up) => !up);
      return {
        spec: server,
        alive: !failed,
        checkers,
        hasRun: new Set(before ? [...checkers.keys()].filter((id) => before.checkers.has(id)) : []),
        adjustments,
      };
    });
    // keepalived's set_quorum_states, then update_quorum_state(init): a start without quorum
    // brings the sorry server in and is notified only then.
    this.quorumUp = this.liveWeight() >= spec.quorum + spec.hysteresis;
    if (!this.quorumUp && spec.sorryServer) {
      this.sorryInPool = true;
      this.initialEvents.push({ type: 'sorry-server-in', server: spec.sorryServer });
      this.initialEvents.push({ type: 'quorum-down', weight: this.liveWeight(), threshold: spec.quorum + spec.hysteresis, initial: true });
    }
  }

  /** The events of the start (a sorry server brought in), once. */
  takeInitialEvents(): PoolEvent[] {
    return this.initialEvents.splice(0);
  }

  get hasQuorum(): boolean {
    return this.quorumUp;
  }

  get sorryServerActive(): boolean {
    return this.sorryInPool;
  }

  /** Each server's state, to carry over a reload. */
  snapshot(): Map<string, ServerState> {
    return new Map(this.servers.map((server) => [server.spec.key, { alive: server.alive, checkers: new Map(server.checkers), adjustments: new Map(server.adjustments) }]));
  }

  /**
   * A checker's verdict (keepalived's update_svr_checker_state): a server leaves service when its
   * first checker fails and returns when its last failed checker passes.
   */
  checkerResult(serverKey: string, checkerId: string, up: boolean): PoolEvent[] {
    const server = this.server(serverKey);
    const was = server.checkers.get(checkerId);
    if (was === undefined) return [];
    const events: PoolEvent[] = [];
    if (was === up) {
      // The first run confirming the start state: keepalived notifies a server that is down
      // (alpha, or a failure) and one that started with alpha.
      if (!server.hasRun.has(checkerId)) {
        server.hasRun.add(checkerId);
        const alpha = server.spec.checkers.find((checker) => checker.id === checkerId)?.alpha ?? false;
        if (alpha || !up) events.push({ type: server.alive ? 'server-up' : 'server-down', server: server.spec, first: true });
      }
      return events;
    }
    server.hasRun.add(checkerId);
    server.checkers.set(checkerId, up);
    const failed = [...server.checkers.values()].filter((state) => !state).length;
    const alive = failed === 0;
    if (alive !== server.alive) {
      server.alive = alive;
      events.push({ type: alive ? 'server-up' : 'server-down', server: server.spec });
      events.push(...this.updateQuorum());
    }
    return events;
  }

  /**
   * misc_dynamic: the checker's exit status sets the server's weight (status - 2, 0..253) as an
   * adjustment of its configured weight, as keepalived's cur_weight.
   */
  checkerWeight(serverKey: string, checkerId: string, weight: number | undefined): PoolEvent[] {
    return this.checkerAdjustment(serverKey, checkerId, weight === undefined ? 0 : weight - this.server(serverKey).spec.weight);
  }

  /**
   * A checker's addition to its server's weight (keepalived's cur_weight): a FILE_CHECK's number
   * times its weight, a misc_dynamic's status less the configured weight. 0 removes it.
   */
  checkerAdjustment(serverKey: string, checkerId: string, adjustment: number): PoolEvent[] {
    const server = this.server(serverKey);
    if (!server.checkers.has(checkerId)) return [];
    const from = clampWeight(this.effectiveWeight(server));
    if (adjustment === 0) server.adjustments.delete(checkerId);
    else server.adjustments.set(checkerId, adjustment);
    const to = clampWeight(this.effectiveWeight(server));
    if (from === to) return [];
    return [{ type: 'weight-changed', server: server.spec, from, to }, ...this.updateQuorum()];
  }

  /** What the rules hold now, in configuration order (the sorry server last). */
  destinations(): Destination[] {
    const destinations: Destination[] = [];
    for (const server of this.servers) {
      if (this.sorryInPool) {
        // keepalived's perform_quorum_state(false): live servers leave, inhibited ones stay at 0.
        if (server.spec.inhibitOnFailure) destinations.push({ server: server.spec, weight: 0 });
      } else if (server.alive) destinations.push({ server: server.spec, weight: clampWeight(this.effectiveWeight(server)) });
      else if (server.spec.inhibitOnFailure) destinations.push({ server: server.spec, weight: 0 });
    }
    const sorry = this.spec.sorryServer;
    if (sorry && !this.duplicatesRealServer()) {
      if (this.sorryInPool) destinations.push({ server: sorry, weight: 1 });
      else if (sorry.inhibit) destinations.push({ server: sorry, weight: 0 });
    } else if (sorry && this.sorryInPool) {
      // The sorry server is also a real server: it serves with weight 1 whatever its own state.
      const index = destinations.findIndex((destination) => destination.server.key === sorry.key);
      if (index >= 0) destinations[index] = { server: destinations[index]!.server, weight: 1 };
      else destinations.push({ server: sorry, weight: 1 });
    }
    return destinations;
  }

  status(): ServerStatus[] {
    const inRules = new Map(this.destinations().map((destination) => [destination.server.key, destination.weight]));
    return this.servers.map((server) => ({
      key: server.spec.key,
      address: server.spec.address,
      port: server.spec.port,
      alive: server.alive,
      weight: inRules.get(server.spec.key) ?? 0,
      configuredWeight: server.spec.weight,
      inService: (inRules.get(server.spec.key) ?? 0) > 0,
      failedCheckers: [...server.checkers].filter(([, up]) => !up).map(([id]) => id),
    }));
  }

  /** The live weight: the sum of the weights of the servers in service (keepalived's weigh_live_realservers). */
  liveWeight(): number {
    return this.servers.reduce((sum, server) => sum + (server.alive ? clampWeight(this.effectiveWeight(server)) : 0), 0);
  }

  /**
   * Stopping (keepalived's clear_services): with `omega` the servers in service are reported
   * down and a quorum that was up is reported lost, as keepalived notifies on the way out.
   */
  stop(omega: boolean): PoolEvent[] {
    if (!omega) return [];
    const events: PoolEvent[] = [];
    for (const server of this.servers) if (server.alive) events.push({ type: 'server-down', server: server.spec });
    if (this.quorumUp) events.push({ type: 'quorum-down', weight: 0, threshold: this.spec.quorum - this.spec.hysteresis, initial: false });
    return events;
  }

  private effectiveWeight(server: Server): number {
    let weight = server.spec.weight;
    for (const adjustment of server.adjustments.values()) weight += adjustment;
    return weight;
  }

  private duplicatesRealServer(): boolean {
    const sorry = this.spec.sorryServer;
    return sorry !== undefined && this.servers.some((server) => server.spec.key === sorry.key);
  }

  private server(key: string): Server {
    const server = this.servers.find((candidate) => candidate.spec.key === key);
    if (!server) throw new RangeError(`${this.spec.key} has no real server ${key}`);
    return server;
  }

  /** keepalived's update_quorum_state: gained at quorum + hysteresis, lost below quorum - hysteresis (or at no weight at all). */
  private updateQuorum(): PoolEvent[] {
    const weight = this.liveWeight();
    const { quorum, hysteresis, sorryServer } = this.spec;
    const threshold = quorum + (this.quorumUp ? -1 : 1) * hysteresis;
    const events: PoolEvent[] = [];
    if (!this.quorumUp && weight >= threshold) {
      this.quorumUp = true;
      if (sorryServer && this.sorryInPool) {
        this.sorryInPool = false;
        events.push({ type: 'sorry-server-out', server: sorryServer });
      }
      events.push({ type: 'quorum-up', weight, threshold, initial: false });
    } else if (this.quorumUp && (weight === 0 || weight < threshold)) {
      this.quorumUp = false;
      if (sorryServer && !this.sorryInPool) {
        this.sorryInPool = true;
        events.push({ type: 'sorry-server-in', server: sorryServer });
      }
      events.push({ type: 'quorum-down', weight, threshold, initial: false });
    }
    return events;
  }
}
