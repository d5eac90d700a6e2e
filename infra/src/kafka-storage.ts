import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LOOPBACK } from '@obscost/flags';
import { runToEnd } from '@obscost/process';
import { kafkaLibs, renderTemplate, requireArtifact } from './artifacts.js';
import { ROOT, type InfraConfig, type KafkaSaslSsl } from './config.js';
import { InfraError } from './errors.js';
import type { KafkaNode } from './kafka-nodes.js';
import { ManagedProcess } from './managed-process.js';

/** A single node keeps the names it always had; each of three is kafka-N. */
export function nodeName(config: InfraConfig, node: KafkaNode): string {
  return config.kafka.nodes.length === 1 ? 'kafka' : `kafka-${node.id}`;
}

/** The node's pid, log, server.properties and data directory are all in here. */
export function nodeHome(config: InfraConfig, node: KafkaNode): string {
  return path.join(config.workDir, nodeName(config, node));
}

export const nodeProcess = (config: InfraConfig, node: KafkaNode): ManagedProcess =>
  new ManagedProcess(nodeName(config, node), nodeHome(config, node));

const dataDir = (config: InfraConfig, node: KafkaNode): string =>
  path.join(nodeHome(config, node), 'data');

export const nodeProperties = (config: InfraConfig, node: KafkaNode): string =>
  path.join(nodeHome(config, node), 'server.properties');

export function javaArgs(config: InfraConfig, main: string, args: string[]): string[] {
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

/** How the node finds its quorum: itself alone, or the three controllers. */
function quorumLine(config: InfraConfig, node: KafkaNode): string {
  const { nodes } = config.kafka;
  if (nodes.length === 1)
    return `controller.quorum.voters=${node.id}@${LOOPBACK}:${node.controllerPort}`;
  const controllers = nodes.map((n) => `${LOOPBACK}:${n.controllerPort}`).join(',');
  return `controller.quorum.bootstrap.servers=${controllers}`;
}

/** The node's server.properties, from the one template every node shares. */
export function propertiesText(config: InfraConfig, node: KafkaNode): string {
  const template = readFileSync(path.join(ROOT, 'infra/kafka/server.properties'), 'utf8');
  const replicas = config.kafka.nodes.length;
  return renderTemplate(template, {
    nodeId: node.id,
    quorum: quorumLine(config, node),
    port: node.port,
    controllerPort: node.controllerPort,
    dataDir: dataDir(config, node),
    replicas,
    // A write is safe once a majority holds it: 1 of 1, 2 of 3.
    minInsync: Math.floor(replicas / 2) + 1,
    ...saslSslProperties(config.kafka.saslSsl),
  });
}

function writeProperties(config: InfraConfig, node: KafkaNode): void {
  mkdirSync(dataDir(config, node), { recursive: true });
  writeFileSync(nodeProperties(config, node), propertiesText(config, node));
}

/** A Kafka Uuid as its tools print one: 16 random bytes in base64url, never led by '-'. */
function kafkaUuid(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

async function format(config: InfraConfig, node: KafkaNode, args: string[]): Promise<void> {
  const result = await runToEnd('java', [
    ...javaArgs(config, 'kafka.tools.StorageTool', [
      'format',
      '--config',
      nodeProperties(config, node),
      ...args,
    ]),
  ]);
  if (result.code !== 0) {
    const said = (result.stderr.trim() || result.stdout.trim()).split('\n').at(-1) ?? '';
    throw new InfraError(
      'INFRA_COMPONENT_FAILED',
      `formatting the storage in ${dataDir(config, node)} failed (exit code ${result.code ?? 'none'}): ${said}`,
    );
  }
}

/**
 * Every node's storage, formatted on first start with one new cluster id. Three nodes get the
 * quorum's voters written in: each controller's id, address and a directory id of its own.
 */
async function formatAll(config: InfraConfig): Promise<void> {
  const { nodes } = config.kafka;
  const formatted = nodes.filter((node) =>
    existsSync(path.join(dataDir(config, node), 'meta.properties')),
  );
  if (formatted.length === nodes.length) return;
  if (formatted.length > 0) {
    throw new InfraError(
      'INFRA_COMPONENT_FAILED',
      `only some Kafka nodes have storage (${formatted.map((n) => nodeHome(config, n)).join(', ')}): remove those directories to start a new cluster`,
    );
  }
  // One argument: a base64url id may begin with '-', which would read as a flag.
  const clusterId = `--cluster-id=${kafkaUuid()}`;
  const [only] = nodes;
  if (nodes.length === 1 && only) {
    await format(config, only, [clusterId, ...scramUser(config.kafka.saslSsl)]);
    return;
  }
  const voters = nodes
    .map((n) => `${n.id}@${LOOPBACK}:${n.controllerPort}:${kafkaUuid()}`)
    .join(',');
  await Promise.all(
    nodes.map((node) => format(config, node, [clusterId, '--initial-controllers', voters])),
  );
}

/** Writes each node's server.properties and, on first start, formats their storage. */
export async function prepareNodes(config: InfraConfig): Promise<void> {
  for (const node of config.kafka.nodes) writeProperties(config, node);
  await formatAll(config);
}
