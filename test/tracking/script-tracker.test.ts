// vrrp_script timing and state under a virtual clock with a fake process runner.
import { describe, expect, test } from 'vitest';
import { processCheck, ScriptTracker, type ScriptSpec } from '../../src/tracking/script-tracker.js';
import { ROOT, type ScriptIdentity } from '../../src/scripting/users.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { capturingLogger } from '../daemon/fakes.js';
import { EXIT_0, EXIT_1, FakeRunner, settle } from './fakes.js';

function tracker(spec: Partial<ScriptSpec> & { timeoutMs?: number; identity?: ScriptIdentity } = {}) {
  const clock = new VirtualClock();
  const runner = new FakeRunner();
  const { log, records } = capturingLogger();
  const { timeoutMs = 800, identity = { user: 'nobody', uid: 65534, gid: 65534 }, ...rest } = spec;
  const script = new ScriptTracker(
    { name: 'chk', intervalMs: 1000, rise: 1, fall: 1, initFail: false, ...rest },
    clock,
    processCheck(runner, ['/bin/check', 'arg'], identity, timeoutMs),
    log,
  );
  let changes = 0;
  script.subscribe(() => changes++);
  const step = async (outcome: typeof EXIT_0): Promise<void> => {
    runner.finish(outcome);
    await settle();
    clock.advanceBy(1000);
  };
  return { clock, runner, script, records, step, changes: () => changes };
}

describe('ScriptTracker', () => {
  test('runs at once and every interval, as the configured user, with the timeout', async () => {
    const { clock, runner, script } = tracker();
    script.start();
    expect(runner.runs.map((r) => r.request)).toMatchObject([{ argv: ['/bin/check', 'arg'], uid: 65534, gid: 65534, timeoutMs: 800 }]);
    runner.finish(EXIT_0);
    await settle();
    clock.advanceBy(1000);
    expect(runner.runs).toHaveLength(1);
    script.stop();
  });

  test('the first result decides; then fall failures in a row to fail and rise successes to recover', async () => {
    const { script, step, records, changes } = tracker({ rise: 2, fall: 3 });
    script.start();
    expect(script.state).toBe('init');
    await step(EXIT_0);
    expect(script.state).toBe('ok');
    await step(EXIT_1);
    await step(EXIT_1);
    await step(EXIT_0); // the streak is broken
    await step(EXIT_1);
    await step(EXIT_1);
    expect(script.state).toBe('ok');
    await step(EXIT_1);
    expect(script.state).toBe('failed');
    await step(EXIT_0);
    expect(script.state).toBe('failed');
    await step(EXIT_0);
    expect(script.state).toBe('ok');
    expect(changes()).toBe(3);
    // One line per change, not per run.
    expect(records().filter((r) => r['event'] === 'tracker-changed').map((r) => r['msg'])).toEqual([
      'vrrp_script chk: OK (exit status 0)',
      'vrrp_script chk: failed (exit status 1)',
      'vrrp_script chk: OK (exit status 0)',
    ]);
  });

  test("a checker's warmup delays the first run by random x warmup, in [0, warmup); then every interval", async () => {
    const firstRunAt = (random: (() => number) | undefined): number | undefined => {
      const clock = new VirtualClock();
      const runner = new FakeRunner();
      const started = clock.now();
      let at: number | undefined;
      const check = { run: (signal: AbortSignal) => ((at ??= clock.now() - started), processCheck(runner, ['/bin/check'], ROOT, 800).run(signal)) };
      const script = new ScriptTracker({ name: 'chk', intervalMs: 1000, rise: 1, fall: 1, initFail: false, warmupMs: 2000 }, clock, check, capturingLogger().log, random);
      script.start();
      clock.advanceBy(2000);
      script.stop();
      return at;
    };
    // The injected draw in [0, 1) decides the delay: 0 runs at once, 0.75 at 1500 ms, the largest draw just under 2000.
    expect(firstRunAt(() => 0)).toBe(0);
    expect(firstRunAt(() => 0.75)).toBe(1500);
    expect(firstRunAt(() => 0.9999)).toBeCloseTo(1999.8, 6);
    // Math.random (the daemon's): every first run lands in [0, 2000), and not all at one time.
    const draws = Array.from({ length: 40 }, () => firstRunAt(undefined));
    expect(draws.every((at) => at !== undefined && at >= 0 && at < 2000)).toBe(true);
    expect(new Set(draws).size).toBeGreaterThan(1);
  });



  test('init_fail starts failed and needs rise successes', async () => {
    const { script, step } = tracker({ rise: 2, initFail: true });
    expect(script.state).toBe('failed');
    script.start();
    await step(EXIT_0);
    expect(script.state).toBe('failed');
    await step(EXIT_0);
    expect(script.state).toBe('ok');
  });

  test('a timeout, a signal or a failure to start counts as a failure, each with its reason word (metrics label it)', async () => {
    const reasons: Array<string | undefined> = [];
    for (const outcome of [{ kind: 'timed-out' }, { kind: 'signalled', signal: 'SIGSEGV' }, { kind: 'failed-to-start', message: 'ENOENT' }, EXIT_1] as const) {
      const { script, step } = tracker();
      script.start();
      await step(outcome);
      expect(script.state).toBe('failed');
      reasons.push(script.reason);
      await step(EXIT_0);
      expect(script.reason).toBeUndefined();
    }
    expect(reasons).toEqual(['timeout', 'signalled', 'failed-to-start', 'exit-status']);
  });

  test('a run still going at the next interval is not started twice', async () => {
    const { clock, runner, script } = tracker({ timeoutMs: 5000 });
    script.start();
    clock.advanceBy(3000);
    expect(runner.runs).toHaveLength(1);
    runner.finish(EXIT_1);
    await settle();
    clock.advanceBy(1000);
    expect(runner.runs).toHaveLength(1);
    expect(script.state).toBe('failed');
  });

  test('a refused script never runs, counts as failed and says why once', () => {
    const { clock, runner, script, records } = tracker({ refused: '/tmp/x is writable by everyone and it would run as root (enable_script_security)' });
    script.start();
    clock.advanceBy(5000);
    expect(runner.runs).toHaveLength(0);
    expect(script.state).toBe('failed');
    expect(records().filter((r) => r['event'] === 'script-refused').map((r) => r['msg'])).toEqual([
      'vrrp_script chk will not run: /tmp/x is writable by everyone and it would run as root (enable_script_security); it counts as failed',
    ]);
  });

  test('stopping aborts a run in progress, so a hung check does not outlive vrrpd', () => {
    const { runner, script } = tracker({ timeoutMs: 60_000 });
    script.start();
    const signal = runner.runs[0]!.request.signal!;
    expect(signal.aborted).toBe(false);
    script.stop();
    expect(signal.aborted).toBe(true);
  });

  test('the root identity is used when asked', () => {
    const { runner, script } = tracker({ identity: ROOT });
    script.start();
    expect(runner.runs[0]!.request).toMatchObject({ uid: 0, gid: 0 });
  });

  test('a check that releases its signal gets one signal per start (none made per run); stop aborts it; others get one per run', async () => {
    const clock = new VirtualClock();
    const { log } = capturingLogger();
    const seen: AbortSignal[] = [];
    const check = (releasesSignal: boolean) => ({
      releasesSignal,
      run: (signal: AbortSignal) => {
        seen.push(signal);
        return Promise.resolve({ success: true, outcome: 'ok' });
      },
    });
    const shared = new ScriptTracker({ name: 'chk', intervalMs: 1000, rise: 1, fall: 1, initFail: false }, clock, check(true), log);
    shared.start();
    for (let i = 0; i < 3; i++) {
      await settle();
      clock.advanceBy(1000);
    }
    await settle();
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(1);
    shared.stop();
    expect(seen[0]?.aborted).toBe(true);
    shared.start();
    await settle();
    expect(seen).toHaveLength(5);
    expect(seen[4]).not.toBe(seen[0]);
    expect(seen[4]?.aborted).toBe(false);
    shared.stop();

    seen.length = 0;
    const own = new ScriptTracker({ name: 'chk', intervalMs: 1000, rise: 1, fall: 1, initFail: false }, clock, check(false), log);
    own.start();
    await settle();
    clock.advanceBy(1000);
    expect(seen).toHaveLength(2);
    expect(seen[0]).not.toBe(seen[1]);
    own.stop();
  });
});
