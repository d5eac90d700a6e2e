import { randomUUID } from 'node:crypto';
import { TOPICS } from '@obscost/events';
import kafkajs, { Kafka, logLevel, type Admin } from 'kafkajs';
import type { Component } from './component.js';
import type { InfraConfig } from './config.js';
import { InfraError } from './errors.js';
import { ProcessGroup } from './kafka-processes.js';
import { javaArgs, nodeProcess, nodeProperties, prepareNodes } from './kafka-storage.js';
import type { ManagedProcess } from './managed-process.js';

// CommonJS: Node finds kafkajs's classes by name, not its enums.
const { ConfigResourceTypes } = kafkajs;

/** A topic only the health check uses, so that its messages never reach a consumer of ours. */
const HEALTH_TOPIC = TOPICS.healthCheck;

/** Each node's process: the one node's, or the three as a group. */
function processes(config: InfraConfig): ManagedProcess {
  const [first, ...rest] = config.kafka.nodes.map((node) => nodeProcess(config, node));
  if (first === undefined) throw new InfraError('INFRA_USAGE', 'no Kafka node configured');
  return rest.length === 0 ? first : new ProcessGroup('kafka', [first, ...rest]);
}

export function kafkaClient(config: InfraConfig, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: config.kafka.brokers.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 2, initialRetryTime: 100 },
  });
}

export async function withAdmin<T>(
  config: InfraConfig,
  work: (admin: Admin) => Promise<T>,
): Promise<T> {
  const admin = kafkaClient(config, 'obscost-infra').admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/** A topic's configuration as the brokers apply it: its own values and the brokers' defaults. */
export async function topicConfig(
  config: InfraConfig,
  topic: string,
): Promise<Map<string, string>> {
  return withAdmin(config, async (admin) => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    });
    return new Map(resources[0]?.configEntries.map((e) => [e.configName, e.configValue]));
  });
}

/** Creates the project's topics where missing; existing ones are left as they are. */
export async function createTopics(config: InfraConfig): Promise<void> {
  const { eventsTopic, eventsPartitions, dlqTopic } = config.kafka;
  await withAdmin(config, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const wanted = [
      { topic: eventsTopic, numPartitions: eventsPartitions },
      { topic: dlqTopic, numPartitions: 1 },
      {
        topic: HEALTH_TOPIC,
        numPartitions: 1,
        configEntries: [{ name: 'retention.ms', value: String(3_600_000) }],
      },
    ].filter(({ topic }) => !existing.has(topic));
    if (wanted.length > 0) {
      await admin.createTopics({
        // A copy on every node; min.insync.replicas comes from the brokers' own setting.
        topics: wanted.map((t) => ({ replicationFactor: config.kafka.nodes.length, ...t })),
        waitForLeaders: true,
      });
    }
  });
}

/**
 * Produces a unique message and consumes it back with a new consumer group, reading the
 * health topic from its beginning so the message cannot slip in before the group starts.
 * A fresh broker's group coordinator can take a while on a busy 2-core machine, and kafkajs
 * then crashes the consumer ("Failed to find group coordinator") instead of waiting: a new
 * consumer tries again, until the deadline.
 */
export async function roundTrip(config: InfraConfig, timeoutMs = 60_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const kafka = kafkaClient(config, 'obscost-healthcheck');
  const marker = randomUUID();
  const producer = kafka.producer();
  try {
    await producer.connect();
    await producer.send({ topic: HEALTH_TOPIC, acks: -1, messages: [{ value: marker }] });
  } finally {
    await producer.disconnect();
  }
  while (Date.now() < deadline) {
    if (await consumeMarker(kafka, marker, deadline - Date.now())) return true;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return false;
}

/** Whether a new consumer group reads `marker` from the health topic before it crashes or times out. */
async function consumeMarker(kafka: Kafka, marker: string, timeoutMs: number): Promise<boolean> {
  const consumer = kafka.consumer({ groupId: `obscost-healthcheck-${randomUUID()}` });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: HEALTH_TOPIC, fromBeginning: true });
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        resolve(false);
      }, timeoutMs);
      const done = (found: boolean): void => {
        clearTimeout(timer);
        resolve(found);
      };
      consumer.on(consumer.events.CRASH, () => {
        done(false);
      });
      consumer
        .run({
          eachMessage: ({ message }) => {
            if (message.value?.toString() === marker) done(true);
            return Promise.resolve();
          },
        })
        .catch(() => {
          done(false);
        });
    });
  } finally {
    await consumer.disconnect();
  }
}

export const kafka: Component = {
  name: 'kafka',
  startTimeoutMs: 90_000,
  ports: (config) => [
    ...config.kafka.nodes.flatMap((node) => [node.port, node.controllerPort]),
    ...(config.kafka.saslSsl ? [config.kafka.saslSsl.port] : []),
  ],
  process: processes,
  async start(config) {
    await prepareNodes(config);
    for (const node of config.kafka.nodes) {
      nodeProcess(config, node).start(
        'java',
        javaArgs(config, 'kafka.Kafka', [nodeProperties(config, node)]),
      );
    }
  },
  // Every node's broker registered: a cluster short of one would take writes with less margin.
  healthy: async (config) =>
    withAdmin(
      config,
      async (admin) => (await admin.describeCluster()).brokers.length === config.kafka.nodes.length,
    ),
  async ready(config) {
    await createTopics(config);
    if (!(await roundTrip(config))) {
      throw new InfraError('INFRA_COMPONENT_FAILED', 'the produce and consume round trip failed');
    }
  },
};
