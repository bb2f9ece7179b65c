// A vrrp_script whose body is a checker block: built by the 'script' tracker type, weighed as any
// vrrp_script (interval, rise, fall, weight, init_fail), shown with the checker's reason, bounded
// by the script's timeout, and carried over a reload while its definition is equal. Virtual clock;
// the server is played by the test (test/checkers/fake-io.ts).
import { getEventListeners } from 'node:events';
import { describe, expect, test } from 'vitest';
import { inThreadCheckers } from '../../src/checkers/checker.js';
import type { CheckerConfig } from '../../src/config/checkers.js';
import type { VrrpdConfig } from '../../src/config/model.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { checkSpecOf } from '../../src/tracking/checker-spec.js';
import { checkerCheck } from '../../src/tracking/checker-check.js';
import { routerConfig } from '../../src/daemon/vrrp/binding.js';
import { Supervisor } from '../../src/daemon/vrrp/supervisor.js';
import { UserDatabase } from '../../src/scripting/users.js';
import { VirtualRouter } from '../../src/vrrp/protocol/virtual-router.js';
import { FakeIo } from '../checkers/fake-io.js';
import { config, instance, script } from '../config/builders.js';
import { capturingLogger } from '../daemon/fakes.js';
import { FakeFiles, FakeProcessTable, FakeRunner, settle } from './fakes.js';

const httpGet: CheckerConfig = {
  type: 'HTTP_GET',
  connectIp: '192.0.2.10',
  connectPort: 6443,
  connectTimeoutMs: 2000,
  retry: 0,
  delayBeforeRetryMs: 3000,
  warmupMs: 0,
  alpha: false,
  logAllFailures: false,
  urls: [{ path: '/readyz', statusCodes: [[200, 299]] }],
  httpProtocol: '1.0',
  enableSni: false,
  tlsCompliant: false,
  fastRecovery: false,
};

function withChecker(checker: CheckerConfig, overrides: Partial<Parameters<typeof script>[0]> = {}): VrrpdConfig {
  return config({
    instances: [instance({ priority: 150, trackScripts: [{ name: 'chk_api' }] })],
    scripts: [script({ name: 'chk_api', script: '', checker, weight: -60, rise: 2, fall: 2, intervalMs: 1000, timeoutMs: 2000, ...overrides })],
  });
}

function setUp(io: FakeIo | undefined) {
  const clock = new VirtualClock();
  const { log, records } = capturingLogger();
  const supervisor = (config: VrrpdConfig) =>
    new Supervisor(config, {
      clock,
      log,
      runner: new FakeRunner(),
      files: new FakeFiles(),
      processes: new FakeProcessTable(),
      users: new UserDatabase('root:x:0:0::/:/bin/sh\n', ''),
      security: { stat: () => ({ uid: 0, gid: 0, mode: 0o100755 }), realpath: (path: string) => path },
      ...(io ? { checkers: inThreadCheckers({ io, clock }) } : {}),
    });
  return { clock, records, supervisor };
}

/** Answers every stream the checker opened and not yet answered. */
function answer(io: FakeIo, how: 'ok' | 'refused' | 'silent'): void {
  for (const stream of io.streams.filter((s) => !s.closed && s.written.length === 0 && !(s as { answered?: boolean }).answered)) {
    (stream as { answered?: boolean }).answered = true;
    if (how === 'refused') stream.fail('ECONNREFUSED', 'connect');
    if (how === 'ok') {
      stream.accept();
      stream.send('HTTP/1.0 200 OK\r\n\r\n');
    }
    if (how === 'silent') stream.accept();
  }
}

describe('a vrrp_script with a checker block', () => {
  test('is weighed as a vrrp_script: first result decides, fall failures to fail, rise successes to recover; status shows why', async () => {
    const io = new FakeIo();
    const { clock, records, supervisor } = setUp(io);
    const cfg = withChecker(httpGet);
    const router = new VirtualRouter(routerConfig(cfg.instances[0]!), { clock, primaryAddress: '192.0.2.1', emit: () => undefined });
    const sup = supervisor(cfg);
    const attached = sup.attach(new Map([['VI_1', router]]), { basePriority: () => 150, interfaceUp: async () => true });
    await settle();
    // No process: the check is a connection to connect_ip:connect_port.
    expect(io.streams.map((s) => `${s.options.address}:${s.options.port}`)).toEqual(['192.0.2.10:6443']);
    answer(io, 'ok');
    await attached;
    expect(router.priority).toBe(150);

    const tick = async (how: 'ok' | 'refused'): Promise<void> => {
      clock.advanceBy(1000);
      answer(io, how);
      await settle();
    };
    await tick('refused');
    expect(router.priority).toBe(150);
    await tick('refused');
    expect(router.priority).toBe(90);
    expect(sup.status('VI_1').trackers).toEqual([
      { name: 'chk_api', kind: 'script', state: 'failed', weight: -60, reverse: false, applied: -60, fault: false, detail: 'HTTP_GET: connection refused', reason: 'refused' },
    ]);
    await tick('ok');
    expect(router.priority).toBe(90);
    await tick('ok');
    expect(router.priority).toBe(150);
    expect(records().filter((r) => r['event'] === 'tracker-changed').map((r) => r['msg'])).toEqual([
      'vrrp_script chk_api: OK (HTTP_GET: HTTP status 200)',
      'vrrp_script chk_api: failed (HTTP_GET: connection refused)',
      'vrrp_script chk_api: OK (HTTP_GET: HTTP status 200)',
    ]);
    await sup.stop();
  });

  test("the vrrp_script's timeout bounds the run: a silent server fails it then, and its connection is closed", async () => {
    const io = new FakeIo();
    const { clock, supervisor } = setUp(io);
    const cfg = withChecker({ ...httpGet, connectTimeoutMs: 5000 }, { timeoutMs: 800, rise: 1, fall: 1 });
    const router = new VirtualRouter(routerConfig(cfg.instances[0]!), { clock, primaryAddress: '192.0.2.1', emit: () => undefined });
    const sup = supervisor(cfg);
    const attached = sup.attach(new Map([['VI_1', router]]), { basePriority: () => 150, interfaceUp: async () => true });
    await settle();
    answer(io, 'silent');
    clock.advanceBy(800);
    await attached;
    expect(io.streams[0]!.closed).toBe(true);
    expect(sup.status('VI_1').trackers[0]).toMatchObject({
      state: 'failed',
      reason: 'timeout',
      detail: 'HTTP_GET: no result within the vrrp_script timeout of 800 ms (timed out after 800 ms during the response header (0 bytes received))',
    });
    await sup.stop();
  });

  test("a timeout equal to the checker's own bound (the default) leaves the reason to the checker", async () => {
    const io = new FakeIo();
    const { clock, supervisor } = setUp(io);
    const cfg = withChecker(httpGet, { timeoutMs: 2000, rise: 1, fall: 1 });
    const router = new VirtualRouter(routerConfig(cfg.instances[0]!), { clock, primaryAddress: '192.0.2.1', emit: () => undefined });
    const sup = supervisor(cfg);
    const attached = sup.attach(new Map([['VI_1', router]]), { basePriority: () => 150, interfaceUp: async () => true });
    await settle();
    answer(io, 'silent');
    clock.advanceBy(2000);
    await attached;
    expect(sup.status('VI_1').trackers[0]).toMatchObject({ state: 'failed', reason: 'timeout', detail: 'HTTP_GET: timed out after 2000 ms during the response header (0 bytes received)' });
    await sup.stop();
  });

  test('a reload carries it over while the definition is equal (state and streak kept); a changed checker starts anew', async () => {
    const io = new FakeIo();
    const { clock, supervisor } = setUp(io);
    const cfg = withChecker(httpGet);
    const router = new VirtualRouter(routerConfig(cfg.instances[0]!), { clock, primaryAddress: '192.0.2.1', emit: () => undefined });
    const routers = new Map([['VI_1', router]]);
    const context = { basePriority: () => 150, interfaceUp: async () => true };
    const first = supervisor(cfg);
    const attached = first.attach(routers, context);
    await settle();
    answer(io, 'ok');
    await attached;
    clock.advanceBy(1000);
    answer(io, 'refused'); // one failure of the two fall asks for
    await settle();

    const second = supervisor(withChecker({ ...httpGet }));
    second.succeed(first);
    await second.attach(routers, context);
    await first.stop();
    clock.advanceBy(1000);
    answer(io, 'refused'); // the second in a row: the streak survived the reload
    await settle();
    expect(router.priority).toBe(90);

    const opened = io.streams.length;
    const third = supervisor(withChecker({ ...httpGet, connectPort: 6444 }));
    third.succeed(second);
    const reattached = third.attach(routers, context);
    await settle();
    expect(io.streams.slice(opened).map((s) => s.options.port)).toEqual([6444]);
    answer(io, 'ok');
    await reattached;
    await second.stop();
    expect(router.priority).toBe(150);
    await third.stop();
  });

  test('alpha starts it failed as init_fail does; without the checkers port it counts as failed and says why', async () => {
    const io = new FakeIo();
    const { clock, supervisor } = setUp(io);
    const cfg = withChecker({ ...httpGet, alpha: true });
    const router = new VirtualRouter(routerConfig(cfg.instances[0]!), { clock, primaryAddress: '192.0.2.1', emit: () => undefined });
    const sup = supervisor(cfg);
    await sup.attach(new Map([['VI_1', router]]), { basePriority: () => 150, interfaceUp: async () => true });
    expect(router.priority).toBe(90);
    await sup.stop();

    const none = setUp(undefined);
    const bare = none.supervisor(withChecker(httpGet));
    const other = new VirtualRouter(routerConfig(cfg.instances[0]!), { clock: none.clock, primaryAddress: '192.0.2.1', emit: () => undefined });
    await bare.attach(new Map([['VI_1', other]]), { basePriority: () => 150, interfaceUp: async () => true });
    expect(bare.status('VI_1').trackers[0]).toMatchObject({ state: 'failed', detail: 'the built-in checkers are not available here' });
    await bare.stop();
  });

  test('its runs leave no listener on the signal they share (TrackCheck.releasesSignal), with or without a timeout of its own', async () => {
    for (const timeoutMs of [2000, 500]) {
      const io = new FakeIo();
      const clock = new VirtualClock();
      const check = checkerCheck(inThreadCheckers({ io, clock }).checker(checkSpecOf(httpGet)), timeoutMs, clock);
      expect(check.releasesSignal).toBe(true);
      const signal = new AbortController().signal;
      for (const how of ['ok', 'refused', 'silent'] as const) {
        const run = check.run(signal);
        answer(io, how);
        if (how === 'silent') clock.advanceBy(2000);
        await run;
        expect(getEventListeners(signal, 'abort')).toHaveLength(0);
      }
    }
  });
});
