// The metrics listener over real HTTP on the loopback: /metrics in the Prometheus content type,
// rendered at each scrape; other paths 404, other methods 405.
import { request } from 'node:http';
import { afterEach, describe, expect, test } from 'vitest';
import { MetricsServer } from '../../src/daemon/operations/metrics-server.js';

let server: MetricsServer | undefined;
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

describe('MetricsServer', () => {
  test('serves the renderer at each scrape, with the exposition content type', async () => {
    let scrapes = 0;
    server = await MetricsServer.listen({ host: '127.0.0.1', port: 0 }, () => `keepalived_up ${++scrapes}\n`);
    const port = server.address.port;
    expect(port).toBeGreaterThan(0);
    expect(await fetchText(port, '/metrics')).toEqual({ status: 200, type: 'text/plain; version=0.0.4; charset=utf-8', body: 'keepalived_up 1\n' });
    expect((await fetchText(port, '/metrics?x=1')).body).toBe('keepalived_up 2\n');
    expect(await fetchText(port, '/')).toMatchObject({ status: 404, body: 'vrrpd serves /metrics only\n' });
    expect((await fetchText(port, '/metrics', 'POST')).status).toBe(405);
  });

  test('an address in use is an error, not a crash', async () => {
    server = await MetricsServer.listen({ host: '127.0.0.1', port: 0 }, () => '');
    await expect(MetricsServer.listen({ host: '127.0.0.1', port: server.address.port }, () => '')).rejects.toThrow('EADDRINUSE');
  });
});
