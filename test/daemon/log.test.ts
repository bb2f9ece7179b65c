import { PassThrough } from 'node:stream';
import { expect, test } from 'vitest';
import { createLogger, formatReadable } from '../../src/core/log.js';

function capture(readable: boolean): { lines: () => string[]; logger: ReturnType<typeof createLogger> } {
  const sink = new PassThrough();
  let text = '';
  sink.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const logger = createLogger({ level: 'info', destination: sink, readable });
  return { logger, lines: () => text.split('\n').filter(Boolean) };
}

test('JSON lines carry the event fields', async () => {
  const { logger, lines } = capture(false);
  logger.info({ instance: 'VI_1', from: 'Backup', to: 'Master', reason: 'master-down' }, 'VI_1 Backup -> Master');
  logger.debug('not shown at info');
  await new Promise((resolve) => setImmediate(resolve));
  expect(lines()).toHaveLength(1);
  expect(JSON.parse(lines()[0] ?? '')).toMatchObject({ level: 30, instance: 'VI_1', to: 'Master', msg: 'VI_1 Backup -> Master' });
});

test('readable lines put time, level and message first, then the fields', () => {
  const line = formatReadable('{"level":40,"time":"2026-11-23T04:00:01.234Z","msg":"rejected","reason":"ttl","count":3}');
  expect(line).toBe('04:00:01.234 WARN  rejected reason=ttl count=3');
});
