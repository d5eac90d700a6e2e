import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { loadInfraConfig, type InfraConfig } from '@obscost/infra';
import { freePorts, INFRA_CLI, run } from './support.js';

/** A Collector of the test's own: free ports, a fresh work directory, stopped at the end. */
export interface OwnCollector {
  config: InfraConfig;
  /** Its Prometheus exporter. */
  metrics: string;
  /** Its own telemetry. */
  telemetry: string;
  /** The request log its filelog receiver tails. */
  logFile: string;
  /** Stops it (SIGTERM), and starts it again on the same work directory. */
  down(): Promise<void>;
  up(): Promise<void>;
}

export async function ownCollector(
  t: TestContext,
  otelConfig: string,
  logFile?: string,
): Promise<OwnCollector> {
  const [grpc, http, prom, telemetry, health, forward] = await freePorts(6);
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-collector-'));
  logFile ??= path.join(dir, 'requests.log');
  const env = {
    OBSCOST_WORK_DIR: dir,
    OTEL_CONFIG: otelConfig,
    APP_LOG_FILE: logFile,
    COLLECTOR_OTLP_GRPC_PORT: String(grpc),
    COLLECTOR_OTLP_HTTP_PORT: String(http),
    COLLECTOR_PROMETHEUS_PORT: String(prom),
    COLLECTOR_TELEMETRY_PORT: String(telemetry),
    COLLECTOR_HEALTH_PORT: String(health),
    COLLECTOR_FORWARD_PORT: String(forward),
  };
  const config = loadInfraConfig({ ...process.env, ...env });
  t.after(async () => {
    await run(process.execPath, [INFRA_CLI, 'down'], env);
    rmSync(dir, { recursive: true, force: true });
  });
  const infra = async (...command: string[]): Promise<void> => {
    const result = await run(process.execPath, [INFRA_CLI, ...command], env);
    assert.equal(result.code, 0, result.stderr);
  };
  const up = () => infra('up', 'collector');
  await up();
  return {
    config,
    up,
    down: () => infra('down'),
    metrics: `http://127.0.0.1:${prom}/metrics`,
    telemetry: `http://127.0.0.1:${telemetry}/metrics`,
    logFile,
  };
}
