// HTTP_GET's request and response reading, against keepalived's check_http.c and genhash.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { HEADER_LIMIT, HttpResponseReader, contentLengthOf, httpRequest, statusOf, type HttpVerdict } from '../../src/checkers/http.js';
import { describeFailure } from '../../src/checkers/failure.js';
import { DEFAULT_STATUS_CODES, formatStatusCodes, parseStatusWord, statusAccepted, statusCodes } from '../../src/core/status-codes.js';

const md5 = (data: string | Buffer): string => createHash('md5').update(data).digest('hex');
const v4 = { address: '192.0.2.10', family: 'ipv4' as const, port: 6443 };

describe('the request', () => {
  test('is keepalived request_template: HTTP/1.0 without Connection, Host address:port', () => {
    expect(httpRequest('/readyz', '1.0', undefined, v4)).toBe('GET /readyz HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 192.0.2.10:6443\r\n\r\n');
  });

  test('1.0C and 1.1 add Connection: close; a virtualhost replaces address and port; IPv6 is bracketed', () => {
    expect(httpRequest('/', '1.0C', 'api.example.test', v4)).toBe('GET / HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: api.example.test\r\n\r\n');
    expect(httpRequest('/', '1.1', undefined, { address: '2001:db8::10', family: 'ipv6', port: 80 })).toBe(
      'GET / HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: [2001:db8::10]:80\r\n\r\n',
    );
  });
});

describe('status codes', () => {
  test('codes and ranges as keepalived reads them, merged, within 100..599', () => {
    expect(parseStatusWord('200')).toEqual([200, 200]);
    expect(parseStatusWord('200-299')).toEqual([200, 299]);
    for (const bad of ['99', '600', '300-200', '2xx', '200-', '-200', '']) expect(parseStatusWord(bad)).toBeUndefined();
    const codes = statusCodes([[400, 499], [200, 299], [300, 300], [503, 503]]);
    expect(codes).toEqual([[200, 300], [400, 499], [503, 503]]);
    expect(formatStatusCodes(codes)).toBe('200-300 400-499 503');
    expect([200, 300, 301, 404, 503, 504].map((status) => statusAccepted(codes, status))).toEqual([true, true, false, true, true, false]);
  });

  test('the status line: three digits after the first space', () => {
    expect(statusOf('HTTP/1.1 200 OK')).toBe(200);
    expect(statusOf('HTTP/1.0 503 Service Unavailable')).toBe(503);
    expect(statusOf('HTTP/1.1 204')).toBe(204);
    for (const bad of ['HTTP/1.1 20 OK', 'HTTP/1.1 2000 OK', 'SSH-2.0-OpenSSH_9.2', 'HTTP/1.1  200 OK', '']) expect(statusOf(bad)).toBeUndefined();
    expect(contentLengthOf('HTTP/1.1 200 OK\r\nServer: x\r\ncontent-length: 12')).toBe(12);
    expect(contentLengthOf('HTTP/1.1 200 OK\r\nContent-Length: 12x')).toBeUndefined();
  });
});

describe('reading a response', () => {
  const plain = { statusCodes: DEFAULT_STATUS_CODES };

  test('an accepted status decides as soon as the header is in: the body (say 100 MB) is never read', () => {
    const reader = new HttpResponseReader(plain);
    expect(reader.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Le'))).toBeUndefined();
    // The blank line straddles two chunks.
    expect(reader.push(Buffer.from('ngth: 104857600\r\n\r'))).toBeUndefined();
    expect(reader.push(Buffer.from('\nxxxxxxxx'))).toEqual({ ok: true, status: 200 });
  });

  test('a status outside status_code fails with the status and what was expected', () => {
    const reader = new HttpResponseReader({ statusCodes: statusCodes([[200, 200]]) });
    const verdict = reader.push(Buffer.from('HTTP/1.1 503 Service Unavailable\r\n\r\n'));
    expect(verdict).toMatchObject({ ok: false, status: 503 });
    expect(verdict?.ok === false && describeFailure(verdict.failure)).toBe('HTTP status 503 (expected 200)');
  });

  test('not HTTP, a header that never ends, and a connection closed early are told apart', () => {
    const ssh = new HttpResponseReader(plain).push(Buffer.from('SSH-2.0-OpenSSH_9.2\r\n\r\n'));
    expect(ssh?.ok === false && describeFailure(ssh.failure)).toBe('not an HTTP response: status line "SSH-2.0-OpenSSH_9.2"');

    const endless = new HttpResponseReader(plain);
    let verdict;
    for (let sent = 0; !verdict && sent < 10 * HEADER_LIMIT; sent += 1000) verdict = endless.push(Buffer.alloc(1000, 0x41));
    expect(verdict).toEqual({ ok: false, failure: { reason: 'http-header-too-large', limit: HEADER_LIMIT } });
    expect(endless.bytesReceived).toBeLessThanOrEqual(HEADER_LIMIT + 1000);

    const why = (verdict: HttpVerdict): string => (verdict.ok ? 'ok' : describeFailure(verdict.failure));
    expect(why(new HttpResponseReader(plain).end())).toBe('connection closed with no response');
    const partial = new HttpResponseReader(plain);
    partial.push(Buffer.from('HTTP/1.1 200'));
    expect(why(partial.end())).toBe('connection closed during the response header (12 bytes received)');
  });

  test('digest: MD5 of the body up to Content-Length, decided there without waiting for the close', () => {
    const body = 'ok\n'.repeat(1000);
    const reader = new HttpResponseReader({ ...plain, digest: md5(body) });
    expect(reader.push(Buffer.from(`HTTP/1.0 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 100)}`))).toBeUndefined();
    expect(reader.push(Buffer.from(body.slice(100) + 'bytes past Content-Length are not hashed'))).toEqual({ ok: true, status: 200, digest: md5(body), bodyBytes: body.length });
  });

  test('digest without Content-Length: to the end of the connection; a different body fails with both digests', () => {
    const reader = new HttpResponseReader({ ...plain, digest: md5('expected') });
    expect(reader.push(Buffer.from('HTTP/1.0 200 OK\r\n\r\nsomething '))).toBeUndefined();
    expect(reader.push(Buffer.from('else'))).toBeUndefined();
    const verdict = reader.end();
    expect(verdict).toMatchObject({ ok: false, failure: { reason: 'digest', got: md5('something else'), expected: md5('expected'), bodyBytes: 14 } });
  });

  test('genhash mode hashes the body whatever the status, reading to the end', () => {
    const reader = new HttpResponseReader(plain, true);
    reader.push(Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\n\r\nnope!'));
    expect(reader.end()).toEqual({ ok: true, status: 404, digest: md5('nope!'), bodyBytes: 5 });
    expect(reader.parts()).toMatchObject({ status: 404, contentLength: 5, digest: md5('nope!') });
    expect(Buffer.from(reader.parts().header).toString()).toBe('HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\n\r\n');
  });
});
