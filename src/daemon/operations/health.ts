// Health endpoints for HTTP probes (Kubernetes httpGet, load balancers, monitoring): cheap for the
// prober, unlike exec'ing `vrrpd status`, which starts a Node process per probe.
// - liveness (/livez, and /healthz as many tools expect): the event loop turns (this answer waits
//   for one full turn) and, once started, the control socket answers a ping, so a daemon whose
//   loop is stuck or whose socket is gone is restarted. While vrrpd starts it is alive: a restart
//   then would only start it again.
// - readiness (/readyz): the configuration is applied, the instances run, and vrrpd is not
//   stopping. A rejected reload leaves the running configuration, which stays ready.
import type { HttpAnswer, HttpRoute } from './http-listener.js';

export type DaemonPhase = 'starting' | 'running' | 'stopping';

export interface HealthOptions {
  phase(): DaemonPhase;
  /** Resolves when the control socket answers `ping`; rejects with the reason otherwise. */
  pingControl(): Promise<void>;
  /** One turn of the event loop (setImmediate); injected by tests. */
  turn?: () => Promise<void>;
}

/** How long liveness waits for the control socket's pong: under kubelet's default probe timeout (1 s). */
export const CONTROL_PING_TIMEOUT_MS = 800;

export const HEALTH_PATHS = { live: '/livez', healthz: '/healthz', ready: '/readyz' } as const;

interface HealthBody {
  readonly status: 'ok' | 'failed';
  readonly phase: DaemonPhase;
  readonly checks: Readonly<Record<string, string>>;
}

export async function liveness(options: HealthOptions): Promise<HealthBody> {
  await (options.turn ?? (() => new Promise<void>((resolve) => setImmediate(resolve))))();
  const phase = options.phase();
  let controlSocket = phase === 'running' ? 'ok' : `not checked while ${phase}`;
  if (phase === 'running') {
    controlSocket = await options.pingControl().then(
      () => 'ok',
      (error: unknown) => `no answer: ${(error as Error).message}`,
    );
  }
  return { status: controlSocket === 'ok' || phase !== 'running' ? 'ok' : 'failed', phase, checks: { eventLoop: 'ok', controlSocket } };
}

export function readiness(options: HealthOptions): HealthBody {
  const phase = options.phase();
  const configuration = phase === 'running' ? 'ok' : phase === 'starting' ? 'not applied yet: starting' : 'stopping';
  return { status: configuration === 'ok' ? 'ok' : 'failed', phase, checks: { configuration } };
}

/** The three paths, answering 200 or 503 with the checks as JSON. */
export function healthRoutes(options: HealthOptions): Map<string, HttpRoute> {
  const live: HttpRoute = async () => answer(await liveness(options));
  return new Map<string, HttpRoute>([
    [HEALTH_PATHS.live, live],
    [HEALTH_PATHS.healthz, live],
    [HEALTH_PATHS.ready, () => answer(readiness(options))],
  ]);
}

function answer(body: HealthBody): HttpAnswer {
  return { status: body.status === 'ok' ? 200 : 503, contentType: 'application/json', body: JSON.stringify(body) + '\n' };
}
