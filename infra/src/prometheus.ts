import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LOOPBACK } from '@obscost/flags';
import { renderTemplate } from './artifacts.js';
import type { Component } from './component.js';
import { ROOT, type InfraConfig } from './config.js';
import { ManagedProcess } from './managed-process.js';

function dir(config: InfraConfig): string {
  return path.join(config.workDir, 'prometheus');
}

/** infra/prometheus/prometheus.yml with this configuration's ports and rules file. */
export function renderPrometheusConfig(config: InfraConfig): string {
  const template = readFileSync(path.join(ROOT, 'infra/prometheus/prometheus.yml'), 'utf8');
  return renderTemplate(template, {
    prometheusPort: config.prometheus.port,
    rulesFile: config.prometheus.rules,
    appPort: config.targets.app,
    observerPort: config.targets.observer,
    aggregatorPort: config.targets.aggregator,
    collectorPrometheusPort: config.collector.prometheusPort,
    collectorTelemetryPort: config.collector.telemetryPort,
  });
}

export const prometheus: Component = {
  name: 'prometheus',
  startTimeoutMs: 30_000,
  ports: (config) => [config.prometheus.port],
  process: (config) => new ManagedProcess('prometheus', dir(config)),
  start(config) {
    const home = dir(config);
    mkdirSync(path.join(home, 'data'), { recursive: true });
    const configFile = path.join(home, 'prometheus.yml');
    writeFileSync(configFile, renderPrometheusConfig(config));
    prometheus
      .process(config)
      .start('prometheus', [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${path.join(home, 'data')}`,
        `--web.listen-address=${LOOPBACK}:${config.prometheus.port}`,
        '--web.enable-remote-write-receiver',
      ]);
    return Promise.resolve();
  },
  async healthy(config) {
    const response = await fetch(`http://${LOOPBACK}:${config.prometheus.port}/-/ready`);
    return response.ok;
  },
};
