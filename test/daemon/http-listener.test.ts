// The metrics and health listener over real HTTP on the loopback: each path rendered at each
// request with its content type and status; other paths 404, other methods 405, a failing route 500.
import { request } from 'node:http';
import { afterEach, describe, expect, test } from 'vitest';
import { HttpListener, type HttpRoute } from '../../src/daemon/operations/http-listener.js';
import { METRICS_CONTENT_TYPE } from '../../src/daemon/vrrp/metrics.js';

let server: HttpListener | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function fetchText(port: number, path: string, method = 'GET'): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, type: response.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HttpListener', () => {
  const only = (path: string, route: HttpRoute) => new Map([[path, route]]);

  test('serves the renderer at each scrape, with the exposition content type', async () => {
    let scrapes = 0;
    server = await HttpListener.listen({ host: '127.0.0.1', port: 0 }, only('/metrics', () => ({ status: 200, contentType: METRICS_CONTENT_TYPE, body: `keepalived_up ${++scrapes}\n` })));
    const port = server.address.port;
    expect(port).toBeGreaterThan(0);
    expect(await fetchText(port, '/metrics')).toEqual({ status: 200, type: 'text/plain; version=0.0.4; charset=utf-8', body: 'keepalived_up 1\n' });
    expect((await fetchText(port, '/metrics?x=1')).body).toBe('keepalived_up 2\n');
    expect(await fetchText(port, '/')).toMatchObject({ status: 404, body: 'vrrpd serves /metrics only\n' });
    expect((await fetchText(port, '/metrics', 'POST')).status).toBe(405);
  });

  test('an address in use is an error, not a crash', async () => {
    const empty = only('/metrics', () => ({ status: 200, contentType: 'text/plain', body: '' }));
    server = await HttpListener.listen({ host: '127.0.0.1', port: 0 }, empty);
    await expect(HttpListener.listen({ host: '127.0.0.1', port: server.address.port }, empty)).rejects.toThrow('EADDRINUSE');
  });

  test('several paths, each with its own status; an asynchronous route; a route that throws is a 500', async () => {
    const routes = new Map<string, HttpRoute>([
      ['/livez', async () => ({ status: 503, contentType: 'application/json', body: '{"status":"failed"}\n' })],
      ['/readyz', () => ({ status: 200, contentType: 'application/json', body: '{"status":"ok"}\n' })],
      ['/broken', () => { throw new Error('renderer failed'); }],
    ]);
    server = await HttpListener.listen({ host: '127.0.0.1', port: 0 }, routes);
    const port = server.address.port;
    expect(await fetchText(port, '/livez')).toEqual({ status: 503, type: 'application/json', body: '{"status":"failed"}\n' });
    expect(await fetchText(port, '/readyz')).toEqual({ status: 200, type: 'application/json', body: '{"status":"ok"}\n' });
    expect(await fetchText(port, '/broken')).toEqual({ status: 500, type: 'text/plain', body: 'renderer failed\n' });
    expect(await fetchText(port, '/readyz', 'HEAD')).toEqual({ status: 200, type: 'application/json', body: '' });
    expect(await fetchText(port, '/metrics')).toMatchObject({ status: 404, body: 'vrrpd serves /livez, /readyz, /broken only\n' });
  });
});
