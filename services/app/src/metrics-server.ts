import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from './errors.js';
import type { HttpMetrics } from './metrics.js';

/**
 * `/metrics` on a port of its own (APP_METRICS_PORT): a plain `http` server, apart from the
 * fastify instance, so no scrape goes through the hooks that count, log and mark the
 * observed traffic. Anything but `GET /metrics` is a 404.
 */
export class MetricsServer {
  private readonly server: Server;

  constructor(metrics: HttpMetrics) {
    this.server = createServer((request, response) => {
      const path = (request.url ?? '').split('?', 1)[0];
      if (request.method !== 'GET' || path !== '/metrics') {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      metrics.exposition().then(
        (text) => response.writeHead(200, { 'content-type': metrics.contentType }).end(text),
        (err: unknown) =>
          response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
      );
    });
  }

  listen(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const failed = (err: Error): void => {
        reject(
          new AppError('APP_LISTEN', `metrics listener ${host}:${port}: ${err.message}`, {
            cause: err,
          }),
        );
      };
      this.server.once('error', failed);
      this.server.listen(port, host, () => {
        this.server.off('error', failed);
        resolve();
      });
    });
  }

  /** The port it listens on (the one taken when asked for 0). */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    const { address } = this.server.address() as AddressInfo;
    return `http://${address.includes(':') ? `[${address}]` : address}:${this.port}/metrics`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => {
        resolve();
      });
      this.server.closeIdleConnections();
    });
  }
}

/** A metrics listener on `host:port`, listening once this resolves. */
export async function startMetricsServer(
  metrics: HttpMetrics,
  host: string,
  port: number,
): Promise<MetricsServer> {
  const server = new MetricsServer(metrics);
  await server.listen(host, port);
  return server;
}
