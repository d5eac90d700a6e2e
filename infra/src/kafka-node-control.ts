import { existsSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { LOOPBACK } from '@obscost/flags';
import { waitFor } from '@obscost/process';
import type { InfraConfig } from './config.js';
import { InfraError } from './errors.js';
import type { KafkaNode } from './kafka-nodes.js';
import { javaArgs, nodeProcess, nodeProperties } from './kafka-storage.js';
import { withAdmin } from './kafka.js';

/**
 * One node of a running cluster stopped and started by itself, for the tests and benchmarks
 * that take a broker away under load. `infra up` and `down` handle the cluster as a whole.
 */

/** How long a node may take to stop (a controlled shutdown moves its leaderships first) or rejoin. */
const NODE_TIMEOUT_MS = 90_000;

export function kafkaNodeById(config: InfraConfig, id: number): KafkaNode {
  const node = config.kafka.nodes.find((n) => n.id === id);
  if (node === undefined) {
    throw new InfraError(
      'INFRA_USAGE',
      `no Kafka node ${id}: the nodes are ${config.kafka.nodes.map((n) => n.id).join(', ')}`,
    );
  }
  return node;
}

/**
 * Whether the node itself answers as a broker of the cluster. Asked of the node alone: the
 * others' view can be stale (a cluster that lost its quorum fences no one, so it still lists
 * a dead node).
 */
async function answers(node: KafkaNode): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'obscost-infra-node',
    brokers: [`${LOOPBACK}:${node.port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    return (await admin.describeCluster()).brokers.some((broker) => broker.nodeId === node.id);
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Sends `signal` to the node's process and waits until it is gone: SIGKILL is a crash,
 * SIGTERM a controlled shutdown (the node hands its leaderships over before it exits).
 */
export async function stopKafkaNode(
  config: InfraConfig,
  id: number,
  signal: 'SIGKILL' | 'SIGTERM',
): Promise<void> {
  const managed = nodeProcess(config, kafkaNodeById(config, id));
  const pid = managed.pid();
  if (pid === undefined) throw new InfraError('INFRA_USAGE', `Kafka node ${id} is not running`);
  process.kill(pid, signal);
  await waitFor(`Kafka node ${id} to exit`, () => managed.pid() === undefined, NODE_TIMEOUT_MS, 50);
}

/**
 * Starts a stopped node again with the data and server.properties it had, and waits until
 * it answers as a broker. Its partitions' replicas then catch up by themselves.
 */
export async function startKafkaNode(config: InfraConfig, id: number): Promise<void> {
  const node = kafkaNodeById(config, id);
  const managed = nodeProcess(config, node);
  if (managed.pid() !== undefined) {
    throw new InfraError('INFRA_USAGE', `Kafka node ${id} is already running`);
  }
  const properties = nodeProperties(config, node);
  if (!existsSync(properties)) {
    throw new InfraError(
      'INFRA_USAGE',
      `Kafka node ${id} was never started (no ${properties}): start the cluster with up first`,
    );
  }
  managed.start('java', javaArgs(config, 'kafka.Kafka', [properties]));
  await waitFor(
    `Kafka node ${id} to answer as a broker`,
    async () => {
      if (managed.pid() === undefined) {
        throw new InfraError(
          'INFRA_COMPONENT_FAILED',
          `Kafka node ${id} exited:\n${managed.tail(20)}`,
        );
      }
      return answers(node);
    },
    NODE_TIMEOUT_MS,
    200,
  );
}

/** A partition's leader now, and its preferred leader (the first replica, where it leads when all is well). */
export interface PartitionLeadership {
  leader: number;
  preferred: number;
  inSync: number[];
}

export async function partitionLeadership(
  config: InfraConfig,
  topic: string,
  partition: number,
): Promise<PartitionLeadership> {
  return withAdmin(config, async (admin) => {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const found = topics[0]?.partitions.find((p) => p.partitionId === partition);
    if (found === undefined) {
      throw new InfraError('INFRA_USAGE', `topic ${topic} has no partition ${partition}`);
    }
    return {
      leader: found.leader,
      preferred: found.replicas[0] ?? -1,
      inSync: [...found.isr].sort((a, b) => a - b),
    };
  });
}
