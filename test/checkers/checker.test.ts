// The checkers' attempts, retries and failure reasons on a virtual clock, the far end played by
// the test (fake-io.ts). The same checkers against real servers: test/linux/checkers.test.ts.
import { describe, expect, test } from 'vitest';
import { Checker, checkBoundMs, type CheckResult } from '../../src/checkers/checker.js';
import { encodeDnsQuery, readDnsAnswer } from '../../src/checkers/dns.js';
import { encodeEchoRequest, readEchoMessage } from '../../src/checkers/icmp.js';
import type { CheckSpec, HttpCheckSpec } from '../../src/checkers/spec.js';
import { DEFAULT_STATUS_CODES } from '../../src/core/status-codes.js';
import { udpReplyProblem } from '../../src/checkers/udp.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { FakeIo, settle } from './fake-io.js';

const endpoint = { address: '192.0.2.10', family: 'ipv4' as const, port: 8080 };
const common = { endpoint, connectTimeoutMs: 2000, retry: 0, delayBeforeRetryMs: 1000 };
const http: HttpCheckSpec = { ...common, type: 'HTTP_GET', urls: [{ path: '/healthz', statusCodes: DEFAULT_STATUS_CODES }], protocol: '1.0' };
const fixedRandom = { bytes: (count: number) => new Uint8Array(count).fill(7), id: () => 0x1234 };

function start(spec: CheckSpec, signal?: AbortSignal) {
  const clock = new VirtualClock();
  const io = new FakeIo();
  const checker = new Checker(spec, { io, clock, random: fixedRandom });
  let result: CheckResult | undefined;
  void checker.run(signal).then((outcome) => (result = outcome));
  return { clock, io, result: () => result };
}

describe('HTTP_GET attempts', () => {
  test('a healthy server: the request goes out on connect; success on an accepted status', async () => {
    const { io, result } = start(http);
    io.lastStream.accept();
    expect(io.lastStream.request).toBe('GET /healthz HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 192.0.2.10:8080\r\n\r\n');
    io.lastStream.send('HTTP/1.0 200 OK\r\n\r\n');
    await settle();
    expect(result()).toEqual({ ok: true, detail: 'HTTP status 200', attempts: 1, elapsedMs: 0 });
    expect(io.lastStream.closed).toBe(true);
  });

  test('accepts and never answers: fails at connect_timeout, reason and stage given, socket closed', async () => {
    const { clock, io, result } = start(http);
    io.lastStream.accept();
    clock.advanceBy(1999);
    await settle();
    expect(result()).toBeUndefined();
    clock.advanceBy(1);
    await settle();
    expect(result()).toMatchObject({ ok: false, detail: 'timed out after 2000 ms during the response header (0 bytes received)', failure: { reason: 'timeout', stage: 'response-header' } });
    expect(io.lastStream.closed).toBe(true);
  });

  test('a server trickling a byte every 100 ms does not extend connect_timeout (keepalived restarts it per read)', async () => {
    const { clock, io, result } = start(http);
    io.lastStream.accept();
    const trickle = 'HTTP/1.0 200 OK\r\nX-Padding: ' + 'x'.repeat(100);
    for (let i = 0; i < 19; i++) {
      io.lastStream.send(trickle[i] ?? 'x');
      clock.advanceBy(100);
    }
    await settle();
    expect(result()).toBeUndefined();
    io.lastStream.send('x');
    clock.advanceBy(100);
    await settle();
    expect(result()?.detail).toBe('timed out after 2000 ms during the response header (20 bytes received)');
  });

  test('connection refused, reset mid-response and TLS failures each have their reason', async () => {
    const refused = start(http);
    refused.io.lastStream.fail('ECONNREFUSED', 'connect');
    await settle();
    expect(refused.result()).toMatchObject({ ok: false, detail: 'connection refused', failure: { reason: 'refused' } });

    const reset = start(http);
    reset.io.lastStream.accept();
    reset.io.lastStream.send('HTTP/1.0 2');
    reset.io.lastStream.fail('ECONNRESET', 'transfer');
    await settle();
    expect(reset.result()?.detail).toBe('connection reset during the response header (10 bytes received)');

    const ssl: HttpCheckSpec = { ...http, type: 'SSL_GET', tls: { sni: true, compliant: true, caFile: '/etc/ca.pem' }, virtualhost: 'api.example.test' };
    const badCertificate = start(ssl);
    expect(badCertificate.io.lastStream.options.tls).toEqual({ servername: 'api.example.test', caFile: '/etc/ca.pem' });
    badCertificate.io.lastStream.events.handshaking?.();
    badCertificate.io.lastStream.fail('DEPTH_ZERO_SELF_SIGNED_CERT', 'handshake', 'self-signed certificate');
    await settle();
    expect(badCertificate.result()?.detail).toBe('TLS handshake failed: self-signed certificate');

    const silentTls = start({ ...ssl, tls: { sni: false, compliant: false } });
    expect(silentTls.io.lastStream.options.tls).toEqual({});
    silentTls.io.lastStream.events.handshaking?.();
    silentTls.clock.advanceBy(2000);
    await settle();
    expect(silentTls.result()?.detail).toBe('timed out after 2000 ms during the TLS handshake');
  });

  test('tls_compliant closes with close_notify; without it the connection is just closed', async () => {
    const compliant = start({ ...http, type: 'SSL_GET', tls: { sni: false, compliant: true } });
    compliant.io.lastStream.accept();
    compliant.io.lastStream.send('HTTP/1.0 200 OK\r\n\r\n');
    await settle();
    expect(compliant.io.lastStream.closedWithNotify).toBe(true);
    const quiet = start({ ...http, type: 'SSL_GET', tls: { sni: false, compliant: false } });
    quiet.io.lastStream.accept();
    quiet.io.lastStream.send('HTTP/1.0 200 OK\r\n\r\n');
    await settle();
    expect(quiet.io.lastStream.closedWithNotify).toBe(false);
  });

  test('several urls: each on its own connection, in order; the failing one is named', async () => {
    const { io, result } = start({ ...http, urls: [{ path: '/a', statusCodes: DEFAULT_STATUS_CODES }, { path: '/b', statusCodes: DEFAULT_STATUS_CODES }] });
    io.lastStream.accept();
    io.lastStream.send('HTTP/1.0 200 OK\r\n\r\n');
    await settle();
    expect(io.streams).toHaveLength(2);
    io.lastStream.accept();
    expect(io.lastStream.request).toMatch(/^GET \/b /);
    io.lastStream.send('HTTP/1.0 404 Not Found\r\n\r\n');
    await settle();
    expect(result()?.detail).toBe('/b: HTTP status 404 (expected 200-299)');
  });
});

describe('retry and delay_before_retry', () => {
  test('a failed attempt is retried after delay_before_retry; a success ends the check', async () => {
    const { clock, io, result } = start({ ...common, type: 'TCP_CHECK', retry: 2 });
    io.lastStream.fail('ECONNREFUSED', 'connect');
    await settle();
    clock.advanceBy(999);
    expect(io.streams).toHaveLength(1);
    clock.advanceBy(1);
    await settle();
    expect(io.streams).toHaveLength(2);
    io.lastStream.accept();
    await settle();
    expect(result()).toEqual({ ok: true, detail: 'connected', attempts: 2, elapsedMs: 1000 });
  });

  test('the check fails after 1 + retry attempts, and never takes longer than checkBoundMs', async () => {
    const spec = { ...common, type: 'TCP_CHECK' as const, retry: 2 };
    const { clock, io, result } = start(spec);
    for (let i = 0; i < 3; i++) {
      clock.advanceBy(spec.connectTimeoutMs);
      await settle();
      if (i < 2) clock.advanceBy(spec.delayBeforeRetryMs);
      await settle();
    }
    expect(io.streams).toHaveLength(3);
    expect(result()).toMatchObject({ ok: false, attempts: 3, elapsedMs: checkBoundMs(spec), detail: 'timed out after 2000 ms during connecting (after 3 attempts)' });
    expect(checkBoundMs(spec)).toBe(8000);
  });

  test("one checker's runs share a deadline timer: each run still times out connect_timeout after its own start, also two at once", async () => {
    const clock = new VirtualClock();
    const io = new FakeIo();
    const checker = new Checker({ ...common, type: 'TCP_CHECK' }, { io, clock });
    const results: CheckResult[] = [];
    const run = (): void => void checker.run().then((result) => results.push(result));
    const advance = async (ms: number): Promise<void> => {
      clock.advanceBy(ms);
      await settle();
    };
    // A run that connects leaves the timer free: the next run's deadline is its own.
    run();
    io.lastStream.accept();
    await settle();
    await advance(500);
    run();
    await advance(1999);
    expect(results).toHaveLength(1);
    await advance(1);
    expect(results.map((r) => [r.ok, r.elapsedMs, r.detail])).toEqual([
      [true, 0, 'connected'],
      [false, 2000, 'timed out after 2000 ms during connecting'],
    ]);
    // Two at once (not a tracker's way, but a checker allows it): the second keeps its own deadline.
    run();
    await advance(1000);
    run();
    await advance(1000);
    expect(results).toHaveLength(3);
    await advance(999);
    expect(results).toHaveLength(3);
    await advance(1);
    expect(results.slice(2).map((r) => [r.ok, r.elapsedMs])).toEqual([
      [false, 2000],
      [false, 2000],
    ]);
    expect(io.streams.every((stream) => stream.closed)).toBe(true);
  });

  test('aborting ends the check at once and closes its socket', async () => {
    const abort = new AbortController();
    const { io, result } = start({ ...common, type: 'TCP_CHECK', retry: 5 }, abort.signal);
    abort.abort();
    await settle();
    expect(result()).toMatchObject({ ok: false, attempts: 1 });
    expect(io.lastStream.closed).toBe(true);
  });
});

describe('DNS_CHECK', () => {
  const dns = { ...common, endpoint: { ...endpoint, port: 53 }, type: 'DNS_CHECK' as const, queryType: 'SOA' as const, name: '.' };

  test('the query is keepalived dns_make_query: RD, one question, class IN; "." is the root', () => {
    expect(Buffer.from(encodeDnsQuery(0x1234, '.', 'SOA')).toString('hex')).toBe('123401000001000000000000' + '00' + '0006' + '0001');
    expect(Buffer.from(encodeDnsQuery(1, 'svc.example.test', 'AAAA')).subarray(12).toString('hex')).toBe('03737663076578616d706c650474657374' + '00' + '001c' + '0001');
  });

  test('answers: another ID or a query is ignored; NOERROR passes, any other rcode fails with it', async () => {
    const { io, result } = start(dns);
    await settle();
    const socket = io.datagrams[0]!;
    expect(Buffer.from(socket.sent[0]!).readUInt16BE(0)).toBe(0x1234);
    const answer = (id: number, flags: number) => Buffer.from([id >> 8, id & 0xff, flags >> 8, flags & 0xff, 0, 1, 0, 0, 0, 0, 0, 0]);
    expect(readDnsAnswer(answer(0x9999, 0x8180), 0x1234)).toEqual({ kind: 'ignore' });
    socket.events.message(answer(0x9999, 0x8180));
    socket.events.message(answer(0x1234, 0x0100));
    await settle();
    expect(result()).toBeUndefined();
    socket.events.message(answer(0x1234, 0x8185));
    await settle();
    expect(result()).toMatchObject({ ok: false, detail: 'DNS answer with rcode 5 (REFUSED)' });
  });

  test('an ICMP port unreachable (ECONNREFUSED on the connected socket) fails at once', async () => {
    const clock = new VirtualClock();
    const io = new FakeIo();
    io.datagramError = { code: 'ECONNREFUSED', message: 'recvmsg ECONNREFUSED' };
    const result = await new Checker(dns, { io, clock }).run();
    expect(result).toMatchObject({ ok: false, detail: 'connection refused', elapsedMs: 0 });
  });
});

describe('UDP_CHECK', () => {
  const udp = { ...common, type: 'UDP_CHECK' as const };

  test('without require_reply, silence until connect_timeout is a success (keepalived), with 32 random bytes sent', async () => {
    const { clock, io, result } = start(udp);
    await settle();
    expect(io.datagrams[0]!.sent[0]).toEqual(new Uint8Array(32).fill(7));
    clock.advanceBy(2000);
    await settle();
    expect(result()).toMatchObject({ ok: true, detail: 'no reply and no ICMP error within 2000 ms' });
  });

  test('require_reply: length bounds and the bytes not masked out must match', async () => {
    const expected = { data: Uint8Array.from([0xab, 0x12, 0x00]), mask: Uint8Array.from([0, 0, 0x0f]), minLength: 2, maxLength: 8 };
    expect(udpReplyProblem(Uint8Array.from([0xab, 0x12, 0x07, 0xff]), expected)).toBeUndefined();
    expect(udpReplyProblem(Uint8Array.from([0xab, 0x12, 0x17]), expected)).toBe('UDP reply differs from require_reply at byte 2');
    expect(udpReplyProblem(Uint8Array.from([0xab]), expected)).toBe('UDP reply of 1 bytes (expected 2..8)');
    const { clock, io, result } = start({ ...udp, payload: Uint8Array.from([1, 2]), requireReply: expected });
    await settle();
    expect(io.datagrams[0]!.sent[0]).toEqual(Uint8Array.from([1, 2]));
    clock.advanceBy(2000);
    await settle();
    expect(result()?.detail).toBe('timed out after 2000 ms during the reply');
  });
});

describe('PING_CHECK', () => {
  const ping = { ...common, type: 'PING_CHECK' as const };

  test('echo requests carry the channel identifier and a sequence; only the matching reply from the target counts', async () => {
    const { io, result } = start(ping);
    const echo = io.echoes[0]!;
    const request = echo.sent[0]!;
    expect(readEchoMessage('ipv4', request)).toEqual({ kind: 'other' }); // a request, not a reply
    const view = Buffer.from(request);
    expect([view[0], view.readUInt16BE(4), view.readUInt16BE(6), view.length]).toEqual([8, echo.identifier, 1, 136]);
    // The Internet checksum of a correct message, checksum included, is 0.
    let sum = 0;
    for (let i = 0; i < view.length; i += 2) sum += view.readUInt16BE(i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    expect(sum).toBe(0xffff);
    const reply = (sequence: number) => {
      const message = Buffer.from(encodeEchoRequest('ipv4', echo.identifier, sequence, new Uint8Array(8)));
      message[0] = 0;
      return message;
    };
    echo.events.message(reply(2), '192.0.2.10');
    echo.events.message(reply(1), '192.0.2.99');
    await settle();
    expect(result()).toBeUndefined();
    echo.events.message(reply(1), '192.0.2.10');
    await settle();
    expect(result()).toMatchObject({ ok: true, detail: 'echo reply' });
    expect(echo.closed).toBe(true);
  });

  test('a destination unreachable quoting our request fails with what the router said', async () => {
    const { io, result } = start({ ...ping, endpoint: { address: '2001:db8::10', family: 'ipv6', port: 0 } });
    const echo = io.echoes[0]!;
    const quotedHeader = Buffer.alloc(40);
    quotedHeader[0] = 0x60;
    quotedHeader[6] = 58;
    const error = Buffer.concat([Buffer.from([1, 3, 0, 0, 0, 0, 0, 0]), quotedHeader, Buffer.from(echo.sent[0]!)]);
    echo.events.message(error, '2001:db8::1');
    await settle();
    expect(result()?.detail).toBe('address unreachable (ICMP from 2001:db8::1)');
  });
});
