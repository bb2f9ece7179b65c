// The test hooks exist only when VRRPD_TEST_HOOKS=1, and the event-loop block really holds the loop.
import { expect, test } from 'vitest';
import type { CommandHandler } from '../../src/control/server.js';
import { CommandError } from '../../src/control/server.js';
import { registerTestHooks } from '../../src/daemon/operations/test-hooks.js';

test('without VRRPD_TEST_HOOKS=1 no command is added', () => {
  const handlers = new Map<string, CommandHandler>();
  registerTestHooks(handlers, {});
  registerTestHooks(handlers, { VRRPD_TEST_HOOKS: 'yes' });
  expect([...handlers.keys()]).toEqual([]);
});

test('test-block-event-loop holds the event loop for the time asked and refuses bad values', async () => {
  const handlers = new Map<string, CommandHandler>();
  registerTestHooks(handlers, { VRRPD_TEST_HOOKS: '1' });
  const block = handlers.get('test-block-event-loop');
  expect(block).toBeDefined();
  let timerFiredAt = 0;
  const start = performance.now();
  setTimeout(() => (timerFiredAt = performance.now() - start), 0);
  const result = (await block!({ command: 'test-block-event-loop', args: { ms: 50 } })) as { blockedMs: number };
  expect(result.blockedMs).toBeGreaterThanOrEqual(50);
  await new Promise((resolve) => setTimeout(resolve, 5));
  // The zero-delay timer could only run after the block ended.
  expect(timerFiredAt).toBeGreaterThanOrEqual(50);
  for (const ms of [-1, 'x', Number.NaN, 20_000, undefined]) {
    expect(() => block!({ command: 'test-block-event-loop', args: { ms } })).toThrow(CommandError);
  }
});

test('test-gc runs a full collection and answers its duration', async () => {
  const handlers = new Map<string, CommandHandler>();
  registerTestHooks(handlers, { VRRPD_TEST_HOOKS: '1' });
  const gc = handlers.get('test-gc');
  expect(gc).toBeDefined();
  const result = (await gc!({ command: 'test-gc' })) as { ms: number };
  expect(result.ms).toBeGreaterThanOrEqual(0);
});
