import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { EVENT_METRIC_TABLE } from './event-metric-table.js';
import { KernelHistogram } from './kernel-histogram.js';
import type { MetricDefinition } from './metric-definition.js';
import type { ObserverReadings } from './observer-readings.js';
import { FORWARDING_METRIC_TABLE, SELF_METRIC_TABLE } from './self-metric-table.js';

/** Every metric the observer may export, in the order of its exposition. */
const METRIC_TABLE: readonly MetricDefinition[] = [
  ...EVENT_METRIC_TABLE,
  ...SELF_METRIC_TABLE,
  ...FORWARDING_METRIC_TABLE,
];

/** One definition's metric in `registry`, reading `observer` at each scrape. */
function register(registry: Registry, observer: ObserverReadings, metric: MetricDefinition): void {
  const { name, help } = metric;
  const registers = [registry];
  switch (metric.type) {
    case 'counter':
    case 'gauge': {
      // Each scrape starts from nothing, so a series the observer no longer reads is gone.
      const configuration = { name, help, labelNames: metric.labelNames ?? [], registers };
      const samples = () => metric.read(observer);
      if (metric.type === 'counter') {
        new Counter({
          ...configuration,
          collect() {
            this.reset();
            for (const [labels, value] of samples()) this.inc(labels, value);
          },
        });
      } else {
        new Gauge({
          ...configuration,
          collect() {
            this.reset();
            for (const [labels, value] of samples()) this.set(labels, value);
          },
        });
      }
      return;
    }
    case 'kernel-histogram':
      new KernelHistogram(registry, name, help, () => metric.read(observer));
      return;
    case 'histogram': {
      const histogram = new Histogram({ name, help, buckets: [...metric.buckets], registers });
      metric.feed(observer, (value) => {
        histogram.observe(value);
      });
    }
  }
}

/**
 * The observer's Prometheus metrics: the seed's counters of what the app did, and what
 * observing cost and lost, in `registry` (a new one unless given). Values are read from the
 * observer at scrape time.
 */
export function observerRegistry(
  observer: ObserverReadings,
  registry: Registry = new Registry(),
): Registry {
  for (const metric of METRIC_TABLE) {
    if (metric.when?.(observer) ?? true) register(registry, observer, metric);
  }
  return registry;
}
