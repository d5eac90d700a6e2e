import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadInfraConfig, type InfraConfig } from '@obscost/infra';
import { ROOT } from '@obscost/runner';

const INFRA_CLI = path.join(ROOT, 'infra/dist/src/cli.js');

export interface BenchKafka {
  config: InfraConfig;
  up(): void;
  /** Stops Kafka and removes its work directory. */
  down(): void;
}

/**
 * A Kafka of the benchmark's own, one partition a topic, in a fresh work directory and on
 * `port` and `port + 1`, out of the way of a stack the user may be running.
 */
export function benchKafka(port: number): BenchKafka {
  const env = {
    OBSCOST_WORK_DIR: mkdtempSync(path.join(tmpdir(), 'obscost-bench-kafka-')),
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(port + 1),
    KAFKA_EVENTS_PARTITIONS: '1',
  };
  const infra = (command: string): void => {
    execFileSync(process.execPath, [INFRA_CLI, command, ...(command === 'up' ? ['kafka'] : [])], {
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
  };
  return {
    config: loadInfraConfig({ ...process.env, ...env }),
    up: () => {
      infra('up');
    },
    down: () => {
      infra('down');
      rmSync(env.OBSCOST_WORK_DIR, { recursive: true, force: true });
    },
  };
}
