import { statSync } from 'node:fs';
import path from 'node:path';
import { COLLECTOR_METRICS } from '@obscost/events';
import { parseExposition, scrape, sumOf } from '@obscost/measure';
import { NOT_COMPARABLE_BECAUSE, type Counts } from '../accuracy.js';
import type { Infrastructure, StartedCollector } from '../infrastructure.js';
import type { ServiceLog } from '../service-settings.js';
import { nothing, type Observation, type Scenario } from './scenario.js';
import { zeroCodeEnv, zeroCodeMissing } from './zero-code.js';

/** A scenario around one Collector: the app's environment for it, and how to read it. */
function withCollector(
  collector: StartedCollector,
  appEnv: NodeJS.ProcessEnv,
  count: (metrics: string) => Counts,
): Observation {
  return {
    ...nothing(appEnv),
    processes: () => ({ collector: collector.pid }),
    count: async () => count(await scrape(collector.metricsUrl)),
    stop: () => collector.stop(),
  };
}

export const sidecar: Scenario = {
  name: 'sidecar',
  description: "the app's request log, tailed by the Collector's filelog receiver",
  loadsBpf: false,
  unavailable: (infra, service) =>
    (service !== undefined && service.log === undefined
      ? 'the service names no request log of its own: give --service-log FILE'
      : undefined) ?? infra.collectorMissing(),
  async observe(infra, run, service) {
    if (service?.log !== undefined) return observeServiceLog(infra, service.log);
    const logFile = path.join(infra.workDir, `requests-${run}.log`);
    const collector = await infra.collector('otel/collector-filelog.yaml', logFile);
    return withCollector(collector, { APP_LOG_FILE: logFile }, (metrics) => ({
      sidecar: {
        requests: sumOf(metrics, COLLECTOR_METRICS.logRequests),
        bytes: sumOf(metrics, COLLECTOR_METRICS.logResponseBytes),
        source: `the Collector's exporter: ${COLLECTOR_METRICS.logRequests}, ${COLLECTOR_METRICS.logResponseBytes}`,
      },
    }));
  },
};

/**
 * The service's own log, tailed with the overlay for its format. The file is the service's:
 * never truncated; its size before the service starts is where this run's lines begin, and
 * the Collector skips what lies before it (otel/service-log-*.yaml). A log's bytes, where it
 * gives any, are the service's own measure (CLF's are the body's): shown, not comparable.
 */
async function observeServiceLog(infra: Infrastructure, log: ServiceLog): Promise<Observation> {
  const from = statSync(log.file, { throwIfNoEntry: false })?.size ?? 0;
  const collector = await infra.collector(
    ['otel/collector-filelog.yaml', `otel/service-log-${log.format}.yaml`],
    log.file,
    { SERVICE_LOG_FROM: String(from) },
  );
  const { logRequests, logResponseBytes } = COLLECTOR_METRICS;
  return withCollector(collector, {}, (metrics) => {
    // The sum connector makes no series of lines without a size: no series, no bytes given.
    const bytesGiven = parseExposition(metrics).some((s) => s.name === logResponseBytes);
    return {
      sidecar: {
        requests: sumOf(metrics, logRequests),
        ...(bytesGiven
          ? {
              bytes: sumOf(metrics, logResponseBytes),
              source: `the Collector's exporter: ${logRequests}, ${logResponseBytes}`,
              notComparable: { bytes: NOT_COMPARABLE_BECAUSE.logBytes },
            }
          : { source: `the Collector's exporter: ${logRequests}` }),
      },
    };
  });
}

export const otelSdk: Scenario = {
  name: 'otel-sdk',
  description: 'the OpenTelemetry SDK in the app: traces and metrics over OTLP to the Collector',
  loadsBpf: false,
  unavailable: (infra, service) =>
    (service === undefined ? undefined : zeroCodeMissing(service)) ?? infra.collectorMissing(),
  async observe(infra, _run, service) {
    const collector = await infra.collector('otel/collector.yaml');
    const endpoint = `http://127.0.0.1:${collector.config.collector.otlpHttpPort}`;
    const appEnv =
      service === undefined
        ? {
            OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
            OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
            // As `npm run stack` runs it: the SDK's metrics every 5 s, as often as Prometheus scrapes.
            OTEL_METRIC_EXPORT_INTERVAL: '5000',
          }
        : zeroCodeEnv(endpoint, service.runtime);
    return withCollector(collector, appEnv, (metrics) => ({
      otel_sdk: {
        requests: sumOf(metrics, COLLECTOR_METRICS.serverSpans),
        source: `the Collector's exporter: ${COLLECTOR_METRICS.serverSpans}`,
      },
    }));
  },
};
