import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadInfraConfig, type InfraConfig } from '@obscost/infra';
import { runToEnd } from '@obscost/process';
import { ROOT } from '@obscost/infra';

const INFRA_CLI = path.join(ROOT, 'infra/dist/src/cli.js');

export interface BenchKafka {
  config: InfraConfig;
  up(): Promise<void>;
  /** Stops Kafka and removes its work directory. */
  down(): Promise<void>;
}

/**
 * A Kafka of the benchmark's own, one partition a topic unless told, in a fresh work directory
 * and on `port` and `port + 1` (three nodes: the six ports from `port` on), out of the way of a
 * stack the user may be running.
 */
export function benchKafka(
  port: number,
  { nodes = 1, partitions = 1 }: { nodes?: 1 | 3; partitions?: number } = {},
): BenchKafka {
  const env = {
    OBSCOST_WORK_DIR: mkdtempSync(path.join(tmpdir(), 'obscost-bench-kafka-')),
    KAFKA_NODES: String(nodes),
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(port + 1),
    KAFKA_EVENTS_PARTITIONS: String(partitions),
  };
  const infra = async (command: string): Promise<void> => {
    const args = [INFRA_CLI, command, ...(command === 'up' ? ['kafka'] : [])];
    const { code, stderr } = await runToEnd(process.execPath, args, { env });
    if (code !== 0) throw new Error(`infra ${command} exited with code ${code}: ${stderr.trim()}`);
  };
  return {
    config: loadInfraConfig({ ...process.env, ...env }),
    up: () => infra('up'),
    down: async () => {
      await infra('down');
      rmSync(env.OBSCOST_WORK_DIR, { recursive: true, force: true });
    },
  };
}
