import { SettingError } from '@obscost/flags';
import { InfraError } from './errors.js';

/**
 * How many Kafka nodes `infra up` runs and where each listens. One node is the default; three
 * make a cluster that keeps every acknowledged record through one node's loss. Two are refused:
 * a quorum of two controllers stops when either dies, and two replicas with a minimum ISR of two
 * stop taking acks=all writes, so two nodes would cost more than one and survive no better.
 */
export const KAFKA_NODE_COUNTS = [1, 3] as const;

export type KafkaNodeCount = (typeof KAFKA_NODE_COUNTS)[number];

/** Per node: three nodes of 256 MiB take about what one of 512 MiB does, plus two JVMs' own. */
export const KAFKA_DEFAULT_HEAP = { single: '512m', cluster: '256m' } as const;

/** Twelve partitions divide evenly among 1, 2, 3, 4, 6 or 12 aggregators of one group. */
export const KAFKA_DEFAULT_PARTITIONS = { single: 3, cluster: 12 } as const;

export interface KafkaNode {
  /** node.id, from 1. */
  readonly id: number;
  readonly port: number;
  readonly controllerPort: number;
}

export function kafkaNodeCount(text: string, name: string): KafkaNodeCount {
  const count = KAFKA_NODE_COUNTS.find((n) => String(n) === text);
  if (count === undefined) {
    throw new SettingError(
      `${name} must be 1 or 3, got "${text}" (two nodes survive no better than one; more are not supported)`,
    );
  }
  return count;
}

/**
 * Node N listens on KAFKA_PORT + 2(N-1) and KAFKA_CONTROLLER_PORT + 2(N-1): with the defaults,
 * 9092/9093, 9094/9095 and 9096/9097, a contiguous block that no other default port is in.
 */
export function kafkaNodes(
  count: KafkaNodeCount,
  port: number,
  controllerPort: number,
): readonly KafkaNode[] {
  const nodes = Array.from({ length: count }, (_, i) =>
    Object.freeze({ id: i + 1, port: port + 2 * i, controllerPort: controllerPort + 2 * i }),
  );
  const ports = nodes.flatMap((node) => [node.port, node.controllerPort]);
  if (new Set(ports).size !== ports.length || ports.some((p) => p > 65535)) {
    throw new InfraError(
      'INFRA_USAGE',
      `KAFKA_PORT ${port} and KAFKA_CONTROLLER_PORT ${controllerPort} give ${count} nodes the ports ${ports.join(', ')}: each must be distinct and at most 65535`,
    );
  }
  return Object.freeze(nodes);
}
