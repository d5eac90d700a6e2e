import { diag } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricReader,
} from '@opentelemetry/sdk-metrics';
import { serveMetrics, type Exposition, type MetricsServer } from '@obscost/metrics-server';
import type { AggregatorConfig } from './config.js';
import { DELAY_VIEW, healthMetrics, type ConsumerHealth } from './health-metrics.js';
import type { PartitionState } from './partition-state.js';
import { SCOPE, StateMetricProducer } from './state-metrics.js';

export interface Telemetry {
  provider: MeterProvider;
  /** Records how long an event took from its kernel timestamp to the exported counter. */
  recordDelay: (seconds: number) => void;
  /** The Prometheus exporter's URL, when it serves one. */
  prometheusUrl: string | undefined;
  shutdown(): Promise<void>;
}

/**
 * The aggregator's metrics, served on its Prometheus port and/or pushed over OTLP as the
 * config says: the partition states' totals and the consumer's health.
 */
export async function startTelemetry(
  config: Pick<
    AggregatorConfig,
    'instanceId' | 'exporter' | 'host' | 'port' | 'otlpUrl' | 'exportIntervalMs'
  >,
  states: () => ReadonlyMap<number, PartitionState>,
  health: () => ConsumerHealth,
): Promise<Telemetry> {
  const resource = resourceFromAttributes({
    'service.name': 'obscost-aggregator',
    'service.instance.id': config.instanceId,
  });
  const producer = new StateMetricProducer(resource, states);
  const readers: MetricReader[] = [];
  let prometheus: PrometheusExporter | undefined;
  if (config.exporter !== 'otlp') {
    // The reader only: lib/metrics-server serves its collection (serve, below), and can
    // listen on port 0 and tell its port.
    prometheus = new PrometheusExporter({ metricProducers: [producer], preventServerStart: true });
    readers.push(prometheus);
  }
  if (config.exporter !== 'prometheus') {
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: config.otlpUrl }),
        exportIntervalMillis: config.exportIntervalMs,
        metricProducers: [producer],
      }),
    );
  }
  const provider = new MeterProvider({ resource, readers, views: [DELAY_VIEW] });
  const recordDelay = healthMetrics(provider.getMeter(SCOPE.name), health);
  const server = prometheus ? await serve(prometheus, config.host, config.port) : undefined;
  return {
    provider,
    recordDelay,
    prometheusUrl: server ? `http://${config.host}:${server.port}/metrics` : undefined,
    shutdown: async () => {
      await server?.close();
      await provider.shutdown();
    },
  };
}

/** The exporter's serializer settings: no scope labels, the resource as target_info. */
const SERIALIZER = new PrometheusSerializer('', false, undefined, false, true);

/** The exporter's collection in the text format, as its own server wrote it. */
async function render(exporter: PrometheusExporter): Promise<Exposition> {
  const { resourceMetrics, errors } = await exporter.collect();
  // What a partial collection lost is logged, as the exporter does; the rest is served.
  if (errors.length > 0) diag.error('PrometheusExporter: metrics collection errors', ...errors);
  return { contentType: 'text/plain', text: SERIALIZER.serialize(resourceMetrics) };
}

function serve(exporter: PrometheusExporter, host: string, port: number): Promise<MetricsServer> {
  return serveMetrics({ host, port, render: () => render(exporter) });
}
