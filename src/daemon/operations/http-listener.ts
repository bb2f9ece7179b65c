// `vrrpd run --metrics ADDR:PORT` and `--health ADDR:PORT`: a small read-only HTTP listener that
// answers GET (and HEAD) on a fixed set of paths (/metrics, the health probes), each rendered per
// request from the daemon's live state; other paths 404, other methods 405.
import { createServer, type Server } from 'node:http';
import type { ListenAddress } from './listen-address.js';

export type { ListenAddress };

export interface HttpAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** One path's answer, computed at each request. */
export type HttpRoute = () => HttpAnswer | Promise<HttpAnswer>;

export class HttpListener {
  private constructor(
    private readonly server: Server,
    readonly address: ListenAddress,
  ) {}

  static async listen(address: ListenAddress, routes: ReadonlyMap<string, HttpRoute>): Promise<HttpListener> {
    const served = [...routes.keys()].join(', ');
    const server = createServer((request, response) => {
      const route = routes.get((request.url ?? '/').split('?')[0] ?? '/');
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (!route) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end(`vrrpd serves ${served} only\n`);
        return;
      }
      void Promise.resolve()
        .then(route)
        .then(
          (answer) => answer,
          (error: unknown): HttpAnswer => ({ status: 500, contentType: 'text/plain', body: `${(error as Error).message}\n` }),
        )
        .then(({ status, contentType, body }) => {
          response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
          response.end(request.method === 'HEAD' ? undefined : body);
        });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(address.port, address.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const bound = server.address();
    const port = bound !== null && typeof bound === 'object' ? bound.port : address.port;
    return new HttpListener(server, { host: address.host, port });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
