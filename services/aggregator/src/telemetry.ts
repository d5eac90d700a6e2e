import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricReader,
} from '@opentelemetry/sdk-metrics';
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
    prometheus = new PrometheusExporter({
      host: config.host,
      port: config.port,
      metricProducers: [producer],
      withoutScopeInfo: true,
      // Served below by a server of ours, which can listen on port 0 and tell its port.
      preventServerStart: true,
    });
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
    prometheusUrl: server
      ? `http://${config.host}:${(server.address() as AddressInfo).port}/metrics`
      : undefined,
    shutdown: async () => {
      server?.close();
      await provider.shutdown();
    },
  };
}

function serve(exporter: PrometheusExporter, host: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url === '/metrics') exporter.getMetricsRequestHandler(request, response);
    else response.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve(server);
    });
  });
}
