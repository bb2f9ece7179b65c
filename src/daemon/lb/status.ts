// The load balancer's part of `vrrpd status`: virtual servers, their real servers with checker
// state and weights, quorum and sorry server.
import type { ResolvedVirtualServer } from '../../config/validate-virtual-servers.js';
import type { VirtualServerSpec } from '../../lb/model.js';
import type { ServerPool } from '../../lb/pool.js';
import type { CheckProgress } from './watched-checks.js';

export interface CheckerStatus {
  readonly id: string;
  /** The verdict the pool holds: up, failed, or not run yet. */
  readonly state: 'up' | 'failed';
  readonly runs: number;
  /** The last run's result: what passed, or why it failed. */
  readonly detail?: string;
  /** The last run's failure reason, for a built-in checker (timeout, refused, http-status, digest, tls, ...). */
  readonly reason?: string;
  /** The last failed run's result, kept after the checker passes again. */
  readonly lastFailure?: string;
}

export interface RealServerStatus {
  readonly key: string;
  readonly alive: boolean;
  /** In the scheduler's table (weight above 0). */
  readonly inService: boolean;
  /** The weight in the rules now (0: out, or inhibited). */
  readonly weight: number;
  readonly configuredWeight: number;
  readonly checkers: readonly CheckerStatus[];
  /** lc, wlc, sed, nq, ovf: the connections conntrack held at the last read (ipvsadm's ActiveConn and InActConn). */
  readonly connections?: { readonly active: number; readonly inactive: number };
}

export interface VirtualServerStatus {
  readonly key: string;
  readonly method: 'NAT' | 'DR';
  readonly scheduler: string;
  readonly persistenceTimeoutS?: number;
  readonly quorum: { readonly up: boolean; readonly liveWeight: number; readonly quorum: number; readonly hysteresis: number };
  /** ha_suspend: the checkers wait while the service's address is not on this host. */
  readonly suspended: boolean;
  readonly sorryServer?: { readonly key: string; readonly active: boolean };
  readonly realServers: readonly RealServerStatus[];
}

export interface StatusSource {
  readonly resolved: ResolvedVirtualServer;
  readonly spec: VirtualServerSpec;
  readonly pool: ServerPool;
  /** Per real server, in the spec's order, when a connection scheduler read them. */
  readonly counts?: ReadonlyArray<{ readonly active: number; readonly inactive: number }>;
}

export function lbStatus(
  services: readonly StatusSource[],
  checks: ReadonlyMap<string, { readonly loop?: CheckProgress | undefined; readonly watch?: CheckProgress | undefined }>,
  checkKey: (vs: string, rs: string, checker: string) => string,
  present: ReadonlySet<string>,
): VirtualServerStatus[] {
  return services.map(({ resolved, spec, pool, counts }) => {
    const servers = pool.status();
    const snapshot = pool.snapshot();
    return {
      key: resolved.key,
      method: resolved.method,
      scheduler: resolved.scheduler,
      ...(resolved.persistence ? { persistenceTimeoutS: resolved.persistence.timeoutMs / 1000 } : {}),
      quorum: { up: pool.hasQuorum, liveWeight: pool.liveWeight(), quorum: resolved.quorum, hysteresis: resolved.hysteresis },
      suspended: resolved.haSuspend && !resolved.addresses.some((address) => present.has(address)),
      ...(resolved.sorryServer ? { sorryServer: { key: resolved.sorryServer.key, active: pool.sorryServerActive } } : {}),
      realServers: resolved.realServers.map((rs) => {
        const server = servers.find((candidate) => candidate.key === rs.key);
        const states = snapshot.get(rs.key)?.checkers;
        return {
          key: rs.key,
          alive: server?.alive ?? false,
          inService: server?.inService ?? false,
          weight: server?.weight ?? 0,
          configuredWeight: rs.weight,
          ...(counts ? { connections: counts[spec.realServers.findIndex((server) => server.key === rs.key)] ?? { active: 0, inactive: 0 } } : {}),
          checkers: rs.checkers.map((checker) => {
            const running = checks.get(checkKey(resolved.key, rs.key, checker.id));
            const loop = running?.loop ?? running?.watch;
            return {
              id: checker.id,
              state: states?.get(checker.id) === false ? 'failed' : 'up',
              runs: loop?.runs ?? 0,
              ...(loop?.last ? { detail: loop.last.detail } : {}),
              ...(loop?.last?.reason !== undefined ? { reason: loop.last.reason } : {}),
              ...(loop?.lastFailure ? { lastFailure: loop.lastFailure.detail } : {}),
            };
          }),
        };
      }),
    };
  });
}
