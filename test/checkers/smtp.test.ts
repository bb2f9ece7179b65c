// SMTP_CHECK's conversation (keepalived's check_smtp.c) on a virtual clock, the server played by
// the test (fake-io.ts): each case is what the server says, step by step, and the verdict. The
// same checker against a real SMTP server: test/linux/checkers-smtp.test.ts.
import { describe, expect, test } from 'vitest';
import { Checker, type CheckResult } from '../../src/checkers/checker.js';
import { SMTP_REPLY_LIMIT } from '../../src/checkers/smtp.js';
import type { SmtpCheckSpec } from '../../src/checkers/spec.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { FakeIo, settle } from './fake-io.js';

const spec: SmtpCheckSpec = { type: 'SMTP_CHECK', endpoint: { address: '192.0.2.25', family: 'ipv4', port: 25 }, connectTimeoutMs: 2000, retry: 0, delayBeforeRetryMs: 1000, heloName: 'lb1.example.test' };

/** The server's replies in order (each sent after the client's previous line); 'close' ends the connection instead. */
interface Scenario {
  readonly name: string;
  readonly server: readonly string[];
  /** What the client must have written by the end. */
  readonly client: string;
  readonly verdict: Partial<CheckResult>;
}

const scenarios: Scenario[] = [
  {
    name: 'a healthy server: 220, HELO answered 250, QUIT answered 221',
    server: ['220 mx.example.test ESMTP\r\n', '250 mx.example.test\r\n', '221 2.0.0 Bye\r\n'],
    client: 'HELO lb1.example.test\r\nQUIT\r\n',
    verdict: { ok: true, detail: 'SMTP greeting 220, HELO 250, QUIT 221' },
  },
  {
    name: 'a multi-line greeting (RFC 5321 §4.2.1) passes: the reply is read whole (keepalived fails it)',
    server: ['220-mx.example.test ESMTP\r\n220-no UCE\r\n', '220 ready\r\n', '250 ok\r\n', '221 bye\r\n'],
    client: 'HELO lb1.example.test\r\nQUIT\r\n',
    verdict: { ok: true, detail: 'SMTP greeting 220, HELO 250, QUIT 221' },
  },
  {
    name: 'a reply split across reads, and lines ending in a bare LF',
    server: ['22', '0 mx\n', '250 ok\n', '221 bye\n'],
    client: 'HELO lb1.example.test\r\nQUIT\r\n',
    verdict: { ok: true },
  },
  {
    name: 'a refusing greeting (554) fails without a HELO',
    server: ['554 5.3.2 no service here\r\n'],
    client: '',
    verdict: { ok: false, detail: 'SMTP greeting 554 (expected 220)', failure: { reason: 'smtp-reply', detail: 'SMTP greeting 554 (expected 220)' } },
  },
  {
    name: 'HELO refused (501) fails without a QUIT',
    server: ['220 mx\r\n', '501 5.5.4 bad HELO\r\n'],
    client: 'HELO lb1.example.test\r\n',
    verdict: { ok: false, detail: 'SMTP HELO reply 501 (expected 250)' },
  },
  {
    name: 'not SMTP (an HTTP server on the port)',
    server: ['HTTP/1.1 400 Bad Request\r\n'],
    client: '',
    verdict: { ok: false, detail: 'not an SMTP reply: "HTTP/1.1 400 Bad Request"' },
  },
  {
    name: 'control bytes in a bad line are shown escaped',
    server: ['\u0000\u0001binary\r\n'],
    client: '',
    verdict: { ok: false, detail: 'not an SMTP reply: "\\u0000\\u0001binary"' },
  },
  {
    name: 'closed before answering QUIT: a failure, as keepalived ("Read failure")',
    server: ['220 mx\r\n', '250 ok\r\n', 'close'],
    client: 'HELO lb1.example.test\r\nQUIT\r\n',
    verdict: { ok: false, detail: 'connection closed during the reply (16 bytes received)', failure: { reason: 'closed', stage: 'reply', received: 16 } },
  },
  {
    name: 'a greeting with no end of line, longer than the limit',
    server: ['220 ' + 'x'.repeat(SMTP_REPLY_LIMIT)],
    client: '',
    verdict: { ok: false, detail: `no complete SMTP reply in ${SMTP_REPLY_LIMIT + 4} bytes` },
  },
];

async function play(scenario: Scenario): Promise<{ result: CheckResult | undefined; written: string; closed: boolean }> {
  const io = new FakeIo();
  let result: CheckResult | undefined;
  void new Checker(spec, { io, clock: new VirtualClock() }).run().then((outcome) => (result = outcome));
  const stream = io.lastStream;
  stream.accept();
  for (const say of scenario.server) {
    if (say === 'close') stream.events.end();
    else stream.send(say);
    await settle();
    if (result) break;
  }
  return { result, written: stream.request, closed: stream.closed };
}

describe('SMTP_CHECK conversations', () => {
  test.each(scenarios)('$name', async (scenario) => {
    const { result, written, closed } = await play(scenario);
    expect(result).toMatchObject(scenario.verdict);
    expect(written).toBe(scenario.client);
    expect(closed).toBe(true);
  });

  test('a server that accepts and never greets fails at connect_timeout, in the reply stage', async () => {
    const clock = new VirtualClock();
    const io = new FakeIo();
    let result: CheckResult | undefined;
    void new Checker(spec, { io, clock }).run().then((outcome) => (result = outcome));
    io.lastStream.accept();
    io.lastStream.send('220-slow');
    clock.advanceBy(2000);
    await settle();
    expect(result).toMatchObject({ ok: false, detail: 'timed out after 2000 ms during the reply (8 bytes received)', failure: { reason: 'timeout', stage: 'reply' } });
  });

  test('refused and reset connections keep their reasons', async () => {
    const io = new FakeIo();
    let result: CheckResult | undefined;
    void new Checker(spec, { io, clock: new VirtualClock() }).run().then((outcome) => (result = outcome));
    io.lastStream.fail('ECONNREFUSED', 'connect');
    await settle();
    expect(result).toMatchObject({ ok: false, detail: 'connection refused' });
  });
});
