// Test hooks: control-socket commands that exist only when VRRPD_TEST_HOOKS=1, for benchmarks and
// robustness tests that need to disturb the daemon from inside (an operator never sets it).
// `test-block-event-loop {"ms": N}` busy-waits N ms on the event loop, as a long GC pause or a
// slow synchronous call would: timers and packets wait, which is what the stability bench measures.
// `test-memory` answers process.memoryUsage() and V8's heap spaces, for the memory benches;
// `test-gc` runs one full collection (V8's, through the inspector) and answers how long it took,
// so a bench can tell garbage from live data; `test-cpu-profile {"ms": N}` profiles the daemon's CPU for N ms and answers V8's profile (the
// steady state, without start-up, which --cpu-prof would include).
import { Session } from 'node:inspector';
import { getHeapSpaceStatistics } from 'node:v8';
import { CommandError, type CommandHandler } from '../../control/server.js';

/** The longest block a request may ask for: the hook stalls the daemon, it must not hang it. */
const MAX_BLOCK_MS = 10_000;

/** Adds the test commands to `handlers` when `env.VRRPD_TEST_HOOKS` is "1"; otherwise does nothing. */
export function registerTestHooks(handlers: Map<string, CommandHandler>, env: NodeJS.ProcessEnv = process.env): void {
  if (env['VRRPD_TEST_HOOKS'] !== '1') return;
  handlers.set('test-block-event-loop', (request) => {
    const ms = request.args?.['ms'];
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_BLOCK_MS) {
      throw new CommandError('invalid-arguments', `"ms" must be a number of milliseconds 0..${MAX_BLOCK_MS}`);
    }
    return blockEventLoop(ms);
  });
  handlers.set('test-cpu-profile', (request) => {
    const ms = request.args?.['ms'];
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0 || ms > 60_000) throw new CommandError('invalid-arguments', '"ms" must be a number of milliseconds 1..60000');
    return cpuProfile(ms);
  });
  handlers.set('test-gc', () => fullCollection());
  handlers.set('test-memory', () => ({
    ...process.memoryUsage(),
    spaces: getHeapSpaceStatistics().map((space) => ({ name: space.space_name, size: space.space_size, used: space.space_used_size })),
  }));
}

/** Busy-waits `ms` milliseconds; returns when it started (epoch ms) and how long it really blocked. */
export function blockEventLoop(ms: number): { startedAtEpochMs: number; blockedMs: number } {
  const startedAtEpochMs = performance.timeOrigin + performance.now();
  const start = performance.now();
  while (performance.now() - start < ms) {
    // spin: the point is to hold the event loop
  }
  return { startedAtEpochMs, blockedMs: performance.now() - start };
}

/** One full garbage collection (HeapProfiler.collectGarbage) and its duration in ms. */
function fullCollection(): Promise<{ ms: number }> {
  return withInspector(async (post) => {
    const start = performance.now();
    await post('HeapProfiler.collectGarbage');
    return { ms: performance.now() - start };
  });
}

/** V8's CPU profile of the next `ms` milliseconds. */
function cpuProfile(ms: number): Promise<unknown> {
  return withInspector(async (post) => {
    await post('Profiler.enable');
    await post('Profiler.start');
    await new Promise((resolve) => setTimeout(resolve, ms));
    return ((await post('Profiler.stop')) as { profile: unknown }).profile;
  });
}

/** Runs `use` with an inspector session of this process, disconnected afterwards. */
async function withInspector<T>(use: (post: (method: string) => Promise<unknown>) => Promise<T>): Promise<T> {
  const session = new Session();
  session.connect();
  try {
    return await use((method) => new Promise((resolve, reject) => session.post(method, (error, result) => (error ? reject(error) : resolve(result)))));
  } finally {
    session.disconnect();
  }
}
