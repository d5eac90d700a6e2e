import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TOPICS } from '@obscost/events';
import { runToEnd } from '@obscost/process';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { kafkaLibs, renderTemplate, requireArtifact } from './artifacts.js';
import type { Component } from './component.js';
import { ROOT, type InfraConfig, type KafkaSaslSsl } from './config.js';
import { InfraError } from './errors.js';
import { ManagedProcess } from './managed-process.js';

/** A topic only the health check uses, so that its messages never reach a consumer of ours. */
const HEALTH_TOPIC = TOPICS.healthCheck;

function dir(config: InfraConfig): string {
  return path.join(config.workDir, 'kafka');
}

function javaArgs(config: InfraConfig, main: string, args: string[]): string[] {
  const libs = requireArtifact(kafkaLibs(config), "the Kafka broker's jars");
  return [
    `-Xms${config.kafka.heap}`,
    `-Xmx${config.kafka.heap}`,
    '-XX:+UseG1GC',
    '-XX:ParallelGCThreads=2',
    '-XX:CICompilerCount=2',
    `-Dlog4j2.configurationFile=${path.join(ROOT, 'infra/kafka/log4j2.properties')}`,
    '-cp',
    `${libs}/*`,
    main,
    ...args,
  ];
}

/** The SASL_SSL listener's lines of server.properties, or empty lines without one. */
function saslSslProperties(saslSsl: KafkaSaslSsl | undefined): Record<string, string> {
  if (!saslSsl) return { saslSslListener: '', saslSslSettings: '' };
  return {
    saslSslListener: `,SASL_SSL://127.0.0.1:${saslSsl.port}`,
    saslSslSettings: [
      'sasl.enabled.mechanisms=SCRAM-SHA-512',
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'ssl.keystore.type=PEM',
      `ssl.keystore.location=${saslSsl.keystore}`,
    ].join('\n'),
  };
}

/**
 * The SCRAM user, made with the storage: KRaft keeps credentials in its metadata log, and
 * this needs no running broker. A storage formatted before keeps the users it has.
 */
function scramUser(saslSsl: KafkaSaslSsl | undefined): string[] {
  if (!saslSsl) return [];
  return ['--add-scram', `SCRAM-SHA-512=[name=${saslSsl.username},password=${saslSsl.password}]`];
}

/** Writes server.properties and, on first start, formats the storage with a new cluster id. */
async function prepare(config: InfraConfig): Promise<string> {
  const home = dir(config);
  const dataDir = path.join(home, 'data');
  mkdirSync(dataDir, { recursive: true });
  const properties = path.join(home, 'server.properties');
  const template = readFileSync(path.join(ROOT, 'infra/kafka/server.properties'), 'utf8');
  writeFileSync(
    properties,
    renderTemplate(template, {
      port: config.kafka.port,
      controllerPort: config.kafka.controllerPort,
      dataDir,
      ...saslSslProperties(config.kafka.saslSsl),
    }),
  );
  if (!existsSync(path.join(dataDir, 'meta.properties'))) {
    const clusterId = Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url');
    const format = await runToEnd('java', [
      ...javaArgs(config, 'kafka.tools.StorageTool', [
        'format',
        // One argument: a base64url id may begin with '-', which would read as a flag.
        `--cluster-id=${clusterId}`,
        '--config',
        properties,
        ...scramUser(config.kafka.saslSsl),
      ]),
    ]);
    if (format.code !== 0) {
      const said = (format.stderr.trim() || format.stdout.trim()).split('\n').at(-1) ?? '';
      throw new InfraError(
        'INFRA_COMPONENT_FAILED',
        `formatting the storage in ${dataDir} failed (exit code ${format.code ?? 'none'}): ${said}`,
      );
    }
  }
  return properties;
}

export function kafkaClient(config: InfraConfig, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: [config.kafka.brokers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 2, initialRetryTime: 100 },
  });
}

async function withAdmin<T>(config: InfraConfig, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafkaClient(config, 'obscost-infra').admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
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
        topics: wanted.map((t) => ({ replicationFactor: 1, ...t })),
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
    config.kafka.port,
    config.kafka.controllerPort,
    ...(config.kafka.saslSsl ? [config.kafka.saslSsl.port] : []),
  ],
  process: (config) => new ManagedProcess('kafka', dir(config)),
  async start(config) {
    const properties = await prepare(config);
    kafka.process(config).start('java', javaArgs(config, 'kafka.Kafka', [properties]));
  },
  healthy: async (config) =>
    withAdmin(config, async (admin) => (await admin.describeCluster()).brokers.length === 1),
  async ready(config) {
    await createTopics(config);
    if (!(await roundTrip(config))) {
      throw new InfraError('INFRA_COMPONENT_FAILED', 'the produce and consume round trip failed');
    }
  },
};
