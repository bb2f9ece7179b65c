// `vrrpd run --metrics ADDR:PORT`: GET /metrics answers the Prometheus text format; anything else
// is 404. Read-only, and rendered per scrape from the daemon's live state.
import { createServer, type Server } from 'node:http';
import { METRICS_CONTENT_TYPE } from '../vrrp/metrics.js';
import type { ListenAddress } from './listen-address.js';

export type { ListenAddress };

export class MetricsServer {
  private constructor(
    private readonly server: Server,
    readonly address: ListenAddress,
  ) {}

  static async listen(address: ListenAddress, render: () => string): Promise<MetricsServer> {
    const server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (path !== '/metrics') {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('vrrpd serves /metrics only\n');
        return;
      }
      const body = render();
      response.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
      response.end(request.method === 'HEAD' ? undefined : body);
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
    return new MetricsServer(server, { host: address.host, port });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
