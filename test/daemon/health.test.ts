// The health probes' answers: liveness waits for a turn of the event loop and, once running, for
// the control socket's pong; readiness follows the daemon's phase.
import { expect, test } from 'vitest';
import { healthRoutes, liveness, readiness, type DaemonPhase } from '../../src/daemon/operations/health.js';

function probes(phase: DaemonPhase, ping: () => Promise<void> = async () => undefined) {
  const pings: DaemonPhase[] = [];
  const options = {
    phase: () => phase,
    pingControl: async () => {
      pings.push(phase);
      await ping();
    },
  };
  return { options, pings };
}

test('running: live when the control socket answers, failed with the reason when it does not; ready', async () => {
  const healthy = probes('running');
  expect(await liveness(healthy.options)).toEqual({ status: 'ok', phase: 'running', checks: { eventLoop: 'ok', controlSocket: 'ok' } });
  expect(healthy.pings).toEqual(['running']);
  expect(readiness(healthy.options)).toEqual({ status: 'ok', phase: 'running', checks: { configuration: 'ok' } });

  const deaf = probes('running', async () => Promise.reject(new Error('vrrpd is not running (no control socket at /run/vrrpd/vrrpd.sock)')));
  expect(await liveness(deaf.options)).toEqual({
    status: 'failed',
    phase: 'running',
    checks: { eventLoop: 'ok', controlSocket: 'no answer: vrrpd is not running (no control socket at /run/vrrpd/vrrpd.sock)' },
  });
});

test('starting and stopping: alive (a restart would not help) but not ready; the socket is not asked', async () => {
  for (const phase of ['starting', 'stopping'] as const) {
    const { options, pings } = probes(phase, async () => Promise.reject(new Error('no socket yet')));
    expect(await liveness(options)).toMatchObject({ status: 'ok', phase });
    expect(pings).toEqual([]);
    expect(readiness(options)).toMatchObject({ status: 'failed', phase });
  }
  expect(readiness(probes('starting').options).checks).toEqual({ configuration: 'not applied yet: starting' });
});

test('liveness answers only after the event loop turned', async () => {
  const order: string[] = [];
  const { options } = probes('running');
  const answer = liveness({ ...options, turn: () => new Promise<void>((resolve) => setImmediate(() => (order.push('turned'), resolve()))) });
  order.push('asked');
  await answer;
  expect(order).toEqual(['asked', 'turned']);
});

test('routes: /livez and /healthz are liveness, /readyz readiness; 200 or 503 with the checks as JSON', async () => {
  const routes = healthRoutes(probes('starting').options);
  expect([...routes.keys()]).toEqual(['/livez', '/healthz', '/readyz']);
  expect(await routes.get('/livez')!()).toEqual({ status: 200, contentType: 'application/json', body: '{"status":"ok","phase":"starting","checks":{"eventLoop":"ok","controlSocket":"not checked while starting"}}\n' });
  expect(await routes.get('/healthz')!()).toEqual(await routes.get('/livez')!());
  expect(await routes.get('/readyz')!()).toEqual({ status: 503, contentType: 'application/json', body: '{"status":"failed","phase":"starting","checks":{"configuration":"not applied yet: starting"}}\n' });
});
