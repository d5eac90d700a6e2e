import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Marker } from './marker.js';
import type { HttpMetrics } from './metrics.js';
import type { RequestLog } from './request-log.js';
import { burnCpu, parseWorkMs } from './work.js';

/** The `path` label of requests that match no route: one series, whatever the URL. */
export const UNMATCHED_ROUTE = 'unmatched';

export interface ServerParts {
  metrics: HttpMetrics;
  requestLog?: RequestLog | undefined;
  marker?: Marker | undefined;
  /** Told each request's route template while the request's context is active. */
  onRoute?: ((route: string) => void) | undefined;
  /** `false`: no /metrics route, the metrics listener serves it (APP_METRICS_PORT). */
  metricsRoute?: boolean | undefined;
  /** Called before every request's handler, 404s included: the calibration's known cost. */
  burn?: (() => void) | undefined;
}

function routeOf(url: string | undefined): string {
  return url ?? UNMATCHED_ROUTE;
}

/**
 * Bytes a response put on its socket (status line, headers and body), as the kernel
 * sees them: the growth of the socket's byte count since the previous response on it.
 */
const bytesWrittenBefore = new WeakMap<Socket, number>();
function responseBytes(socket: Socket): number {
  const total = socket.bytesWritten;
  const bytes = total - (bytesWrittenBefore.get(socket) ?? 0);
  bytesWrittenBefore.set(socket, total);
  return bytes;
}

export function buildServer(parts: ServerParts): FastifyInstance {
  const { metrics, requestLog, marker, onRoute, metricsRoute = true, burn } = parts;
  const app = Fastify({ logger: false });

  if (burn) {
    app.addHook('onRequest', (_request, _reply, done) => {
      burn();
      done();
    });
  }

  if (onRoute) {
    app.addHook('onRequest', (request, _reply, done) => {
      onRoute(routeOf(request.routeOptions.url));
      done();
    });
  }

  app.addHook('onResponse', (request, reply, done) => {
    const route = routeOf(request.routeOptions.url);
    const status = reply.statusCode;
    const durationMs = reply.elapsedTime;
    metrics.observe(route, request.method, status, durationMs / 1000);
    if (requestLog || marker) {
      const bytes = responseBytes(request.raw.socket);
      requestLog?.write({ method: request.method, route, status, bytes, durationMs });
      marker?.(bytes);
    }
    done();
  });

  app.get('/ping', (_request, reply) => {
    reply.type('text/plain').send('pong');
  });

  app.get('/healthz', (_request, reply) => {
    reply.send({ status: 'ok' });
  });

  app.get<{ Querystring: { ms?: unknown } }>('/work', (request, reply) => {
    const ms = parseWorkMs(request.query.ms);
    if (typeof ms !== 'number') {
      reply.code(400).send({ error: ms.error, parameter: 'ms' });
      return;
    }
    burnCpu(ms);
    reply.type('text/plain').send(`worked ${ms} ms`);
  });

  if (metricsRoute) {
    app.get('/metrics', async (_request, reply) => {
      reply.type(metrics.contentType);
      return metrics.exposition();
    });
  }

  return app;
}
