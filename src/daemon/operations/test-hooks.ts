// Test hooks: control-socket commands that exist only when VRRPD_TEST_HOOKS=1, for benchmarks and
// robustness tests that need to disturb the daemon from inside (an operator never sets it).
// `test-block-event-loop {"ms": N}` busy-waits N ms on the event loop, as a long GC pause or a
// slow synchronous call would: timers and packets wait, which is what the stability bench measures.
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
