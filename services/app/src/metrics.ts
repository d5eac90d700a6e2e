// The names alone: the package's index loads avsc and its schema, 10 MB the app need not carry.
import { APP_HEALTH_METRICS, APP_METRICS } from '@obscost/events/names';
import { registerProcessMetrics } from '@obscost/metrics-server';
import { Counter, Histogram, Registry } from 'prom-client';

/** The app's own Prometheus metrics, with the seed's names. */
export class HttpMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: APP_METRICS.requests,
    help: 'HTTP requests completed, by route template, method and status code.',
    labelNames: ['path', 'method', 'code'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: APP_METRICS.requestDuration,
    help: 'Time from receiving a request to finishing its response, by route template.',
    labelNames: ['path', 'method', 'code'] as const,
    registers: [this.registry],
  });

  constructor() {
    // The process's own CPU and memory (process_cpu_seconds_total, ...), for the
    // pipeline-health dashboard: read at each scrape.
    registerProcessMetrics(this.registry);
  }

  /** The request log's failures, read at each scrape. */
  watchRequestLog(log: { readonly writeErrors: number; readonly droppedLines: number }): void {
    this.readCounter(
      APP_HEALTH_METRICS.logWriteErrors,
      'Writes to the request log file that failed (its lines wait in memory for the next).',
      () => log.writeErrors,
    );
    this.readCounter(
      APP_HEALTH_METRICS.logDroppedLines,
      'Request log lines dropped because 16 MiB of lines were already waiting for the file.',
      () => log.droppedLines,
    );
  }

  /** The OpenTelemetry SDK's failed exports, read at each scrape. */
  watchTelemetry(errors: { readonly count: number }): void {
    this.readCounter(
      APP_HEALTH_METRICS.otelExportErrors,
      'Exports the OpenTelemetry SDK reported as failed (spans or metrics): the Collector away, or refusing.',
      () => errors.count,
    );
  }

  /** A counter whose value is read from elsewhere at each scrape. */
  private readCounter(name: string, help: string, read: () => number): void {
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  }

  observe(path: string, method: string, code: number, seconds: number): void {
    const labels = { path, method, code };
    this.requests.inc(labels);
    this.duration.observe(labels, seconds);
  }

  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
