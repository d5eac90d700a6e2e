import path from 'node:path';
import { LOOPBACK } from '@obscost/flags';
import { collectorBinary, requireArtifact } from './artifacts.js';
import type { Component } from './component.js';
import type { InfraConfig } from './config.js';
import { ManagedProcess } from './managed-process.js';

/** The variables the Collector configs in otel/ read with ${env:NAME:-default}. */
export function collectorEnv(config: InfraConfig): Record<string, string> {
  const c = config.collector;
  return {
    COLLECTOR_OTLP_GRPC_PORT: String(c.otlpGrpcPort),
    COLLECTOR_OTLP_HTTP_PORT: String(c.otlpHttpPort),
    COLLECTOR_PROMETHEUS_PORT: String(c.prometheusPort),
    COLLECTOR_TELEMETRY_PORT: String(c.telemetryPort),
    COLLECTOR_HEALTH_PORT: String(c.healthPort),
    COLLECTOR_FORWARD_PORT: String(c.forwardPort),
    PROMETHEUS_PORT: String(config.prometheus.port),
    APP_LOG_FILE: c.appLogFile,
    COLLECTOR_STORAGE_DIR: path.join(config.workDir, 'collector', 'storage'),
  };
}

export const collector: Component = {
  name: 'collector',
  startTimeoutMs: 30_000,
  ports: (config) => {
    const c = config.collector;
    return [c.otlpGrpcPort, c.otlpHttpPort, c.healthPort];
  },
  process: (config) => new ManagedProcess('collector', path.join(config.workDir, 'collector')),
  start(config) {
    const binary = requireArtifact(collectorBinary(config), 'the OpenTelemetry Collector build');
    collector
      .process(config)
      .start(binary, ['--config', config.collector.config], collectorEnv(config));
    return Promise.resolve();
  },
  async healthy(config) {
    const response = await fetch(`http://${LOOPBACK}:${config.collector.healthPort}/`);
    return response.ok;
  },
};
