import { serveMetrics, type MetricsServer } from '@obscost/metrics-server';
import { AppError } from './errors.js';
import type { HttpMetrics } from './metrics.js';

/**
 * `/metrics` on a port of its own (APP_METRICS_PORT), apart from the fastify instance, so no
 * scrape goes through the hooks that count, log and mark the observed traffic; listening once
 * this resolves. A port that cannot be taken is APP_LISTEN.
 */
export async function startMetricsServer(
  metrics: HttpMetrics,
  host: string,
  port: number,
): Promise<MetricsServer> {
  try {
    return await serveMetrics({
      host,
      port,
      render: async () => ({ contentType: metrics.contentType, text: await metrics.exposition() }),
    });
  } catch (err) {
    throw new AppError(
      'APP_LISTEN',
      `metrics listener ${host}:${port}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}
