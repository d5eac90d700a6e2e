import path from 'node:path';
import { LOOPBACK, PORTS } from '@obscost/flags';
import { listening } from '@obscost/process';
import type { Component } from './component.js';
import type { InfraConfig } from './config.js';
import { ManagedProcess } from './managed-process.js';
import { AGGREGATOR_MAIN, APP_MAIN, OBSERVER_MAIN } from './processes.js';
import { beginStack, stackStart } from './stack-start.js';

/**
 * Our own services as `npm run stack` runs them beside the infrastructure: detached, with pid
 * and log files in the work directory like infra's components, on the configured ports.
 */

/** The port of the app's metrics listener, which the stack always gives the app. */
export const STACK_APP_METRICS_PORT = PORTS.appMetrics;

/** The stack sets APP_METRICS_PORT, so Prometheus's app target is the metrics listener. */
function metricsPort(config: InfraConfig): number {
  return config.targets.app;
}

const appDir = (config: InfraConfig): string => path.join(config.workDir, 'app');

/** Where the app's ManagedProcess keeps its pid: the observer follows the app through it. */
export const appPidFile = (config: InfraConfig): string => path.join(appDir(config), 'app.pid');

async function answers(url: string): Promise<boolean> {
  return (await fetch(url)).ok;
}

export const app: Component = {
  name: 'app',
  startTimeoutMs: 30_000,
  ports: (config) => [config.appPort, metricsPort(config)],
  process: (config) => new ManagedProcess('app', appDir(config)),
  start(config) {
    beginStack(config);
    // Its request log is the file the Collector's filelog config tails; the SDK sends OTLP
    // to the Collector.
    app.process(config).start(process.execPath, [APP_MAIN], {
      HOST: LOOPBACK,
      PORT: String(config.appPort),
      APP_METRICS_PORT: String(metricsPort(config)),
      APP_LOG_FILE: config.collector.appLogFile,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://${LOOPBACK}:${config.collector.otlpHttpPort}`,
      // The SDK's metrics every 5 s rather than its default 60 s, as often as Prometheus
      // scrapes: the SDK's latency panel then follows the others.
      OTEL_METRIC_EXPORT_INTERVAL: process.env.OTEL_METRIC_EXPORT_INTERVAL ?? '5000',
    });
    return Promise.resolve();
  },
  // The metrics listener answers and the main port accepts; no request to the main port, which
  // every approach would count as observed traffic.
  healthy: async (config) =>
    (await listening(config.appPort)) &&
    answers(`http://${LOOPBACK}:${metricsPort(config)}/metrics`),
};

export const observer: Component = {
  name: 'observer',
  // Loading and verifying the BPF programs takes seconds on this machine's 2 cores.
  startTimeoutMs: 60_000,
  ports: (config) => [config.targets.observer],
  process: (config) => new ManagedProcess('observer', path.join(config.workDir, 'observer')),
  start(config) {
    observer.process(config).start(process.execPath, [
      OBSERVER_MAIN,
      ...['--pidfile', appPidFile(config), '--host', LOOPBACK],
      ...['--port', String(config.targets.observer)],
      ...['--kafka-brokers', config.kafka.brokers, '--topic', config.kafka.eventsTopic],
      // The pipeline-health dashboard shows what each program costs the app.
      ...['--bpf-stats', 'on'],
    ]);
    return Promise.resolve();
  },
  healthy: (config) => answers(`http://${LOOPBACK}:${config.targets.observer}/metrics`),
};

export const aggregator: Component = {
  name: 'aggregator',
  startTimeoutMs: 30_000,
  ports: (config) => [config.targets.aggregator],
  process: (config) => new ManagedProcess('aggregator', path.join(config.workDir, 'aggregator')),
  start(config) {
    const k = config.kafka;
    const { startedAt, group } = stackStart(config);
    aggregator
      .process(config)
      .start(process.execPath, [
        AGGREGATOR_MAIN,
        ...['--host', LOOPBACK, '--port', String(config.targets.aggregator)],
        ...['--kafka-brokers', k.brokers, '--topic', k.eventsTopic, '--dlq-topic', k.dlqTopic],
        ...['--group', group, '--from-timestamp', String(startedAt)],
      ]);
    return Promise.resolve();
  },
  healthy: (config) => answers(`http://${LOOPBACK}:${config.targets.aggregator}/metrics`),
};

/** In the order `up` starts them: the app first, so the observer finds its pid file. */
export const SERVICES: readonly Component[] = [app, observer, aggregator];
