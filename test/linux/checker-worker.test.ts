// The checkers' worker thread (src/linux/checkers/worker-checkers.ts), as vrrpd runs checks: the
// same results as on the main loop for the same servers (healthy, hostile, TLS, refused), an
// abort reaching the check in the worker, PING_CHECK (kept on the main loop) working through the
// same host. The checks run on lab host `chk` (run-check.mjs), the servers on `srv`.
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { waitFor } from '../helpers/daemons.js';
import { isRoot, NamespaceLab, sweepStaleLabs, type LabHost } from '../helpers/netns.js';
import { runChecks, type CheckLine } from '../helpers/run-check.js';
import { haveServers, makeCertificates, serverDir } from '../helpers/servers.js';

const hostileServer = join(import.meta.dirname, '..', 'checkers', 'hostile-server.mjs');
const SRV = '192.0.2.20';

let lab: NamespaceLab | undefined;
let dir = '';
let chk: LabHost;

const run = (options: Record<string, unknown>): Promise<CheckLine[]> => runChecks(chk, options);

const common = (port: number) => ({ endpoint: { address: SRV, family: 'ipv4', port }, connectTimeoutMs: 1000, retry: 0, delayBeforeRetryMs: 0 });
const urls = [{ path: '/', statusCodes: [[200, 299]] }];
const httpGet = (port: number) => ({ type: 'HTTP_GET', ...common(port), urls, protocol: '1.0' });
const sslGet = (port: number, extra: Record<string, unknown> = {}) => ({ type: 'SSL_GET', ...common(port), urls, protocol: '1.0', tls: { sni: false, compliant: false, ...extra } });

describe.skipIf(!isRoot() || !haveServers)("the checkers' worker thread (needs root, openssl)", () => {
  beforeAll(async () => {
    await sweepStaleLabs();
    dir = serverDir('checkworker');
    makeCertificates(dir, [SRV]);
    lab = await NamespaceLab.create();
    chk = await lab.addHost('chk', ['192.0.2.1/24']);
    const srv = await lab.addHost('srv', [`${SRV}/24`]);
    const hostile = srv.spawn('node', [hostileServer, SRV, dir]);
    const lines: string[] = [];
    hostile.stdout?.on('data', (chunk: Buffer) => void lines.push(chunk.toString()));
    await waitFor('the hostile servers', async () => lines.some((line) => line.includes('"ready"')), 15_000);
  }, 60_000);
  afterAll(async () => {
    await lab?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the same outcomes in the worker as on the main loop: healthy, silent, reset, 500, TLS, a bad certificate, refused, ICMP echo', { timeout: 60_000 }, async () => {
    const specs = [
      httpGet(8003),
      httpGet(8001),
      httpGet(8005),
      sslGet(8103),
      sslGet(8108),
      sslGet(8130, { caFile: join(dir, 'ca.pem') }),
      { type: 'TCP_CHECK', ...common(8001) },
      { type: 'TCP_CHECK', ...common(9) },
      { type: 'PING_CHECK', ...common(0) },
    ];
    const outcome = (results: CheckLine[]) => results.map((r) => [r.ok, r.reason ?? 'ok', r.detail]);
    const inWorker = outcome(await run({ specs, thread: 'worker' }));
    const onMain = outcome(await run({ specs, thread: 'main' }));
    expect(inWorker).toEqual(onMain);
    expect(inWorker).toEqual([
      [true, 'ok', 'HTTP status 200'],
      [false, 'timeout', 'timed out after 1000 ms during the response header (0 bytes received)'],
      [false, 'reset', 'connection reset during the response header (0 bytes received)'],
      [true, 'ok', 'HTTP status 200'],
      [false, 'http-status', 'HTTP status 500 (expected 200-299)'],
      [false, 'tls', 'TLS handshake failed: self-signed certificate'],
      [true, 'ok', 'connected'],
      [false, 'refused', 'connection refused'],
      [true, 'ok', 'echo reply'],
    ]);
  });

  test('placed as vrrpd places them: twenty runs a second of light checks on the main loop, the rest and node:tls handshakes in the worker, with the same outcomes', { timeout: 60_000 }, async () => {
    const light = Array.from({ length: 24 }, () => sslGet(8103));
    const verified = sslGet(8130, { caFile: join(dir, 'ca.pem') });
    const lines = await run({ specs: [...light, verified], thread: 'placed' });
    const placement = (lines.pop() as unknown as { placement: { mainLoop: number; worker: number } }).placement;
    expect(placement).toEqual({ mainLoop: 20, worker: 5 });
    expect(lines.map((r) => [r.ok, r.detail])).toEqual([
      ...light.map(() => [true, 'HTTP status 200']),
      [false, 'TLS handshake failed: self-signed certificate'],
    ]);
  });

  test('an abort on the main thread ends the check in the worker at once, with the time it ran', { timeout: 30_000 }, async () => {
    const [aborted] = await run({ spec: { ...httpGet(8001), connectTimeoutMs: 5000 }, thread: 'worker', abortAfterMs: 300 });
    expect(aborted).toMatchObject({ ok: false, reason: 'timeout' });
    // Ended by the abort (the time it ran), not by connect_timeout (which names its 5000 ms). The
    // stage is the response header once connected; on a loaded machine the worker may still be
    // starting or connecting when the abort comes, which is the same forwarding.
    const ran = /^timed out after (\d+) ms during /.exec(aborted?.detail ?? '');
    expect(ran, aborted?.detail).not.toBeNull();
    expect(Number(ran?.[1])).toBeLessThan(5000);
  });

  test("a run's own retry reaches the worker (a real server's first run makes one attempt)", { timeout: 30_000 }, async () => {
    const refused = { type: 'TCP_CHECK', ...common(9), retry: 2 };
    const [spec] = await run({ spec: refused, thread: 'worker' });
    const [first] = await run({ spec: refused, thread: 'worker', retry: 0 });
    expect([spec?.attempts, spec?.detail]).toEqual([3, 'connection refused (after 3 attempts)']);
    expect([first?.attempts, first?.detail]).toEqual([1, 'connection refused']);
  });

  test("a checker's spec goes to the worker once, and again to a worker started anew", { timeout: 30_000 }, async () => {
    // Runs after the first carry no spec: they find the checker the first made. A worker started
    // after the last one ended (as after it died) has no checkers; the spec must go again, or the
    // run fails with "the checkers' worker thread has no checker 1".
    const same = await run({ spec: httpGet(8003), thread: 'worker', count: 3 });
    const restarted = await run({ spec: httpGet(8003), thread: 'worker', count: 2, restartWorker: true });
    expect([...same, ...restarted].map((r) => [r.ok, r.detail])).toEqual(Array.from({ length: 5 }, () => [true, 'HTTP status 200']));
  });
});
