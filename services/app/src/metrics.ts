// The names alone: the package's index loads avsc and its schema, 10 MB the app need not carry.
import { APP_METRICS } from '@obscost/events/names';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

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
    collectDefaultMetrics({ register: this.registry });
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
