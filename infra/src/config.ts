import { homedir } from 'node:os';
import path from 'node:path';
import { TOPICS } from '@obscost/events';
import { LOOPBACK, parseEnvironment, PORTS, setting, SettingError } from '@obscost/flags';
import { freePorts } from '@obscost/process';
import { InfraError } from './errors.js';
import {
  KAFKA_DEFAULT_HEAP,
  KAFKA_DEFAULT_PARTITIONS,
  kafkaNodeCount,
  kafkaNodes,
  type KafkaNode,
} from './kafka-nodes.js';

/** The repository's root, from infra/dist/src. */
export const ROOT = path.resolve(import.meta.dirname, '../../..');

const port = (env: string, fallback: number, help: string) =>
  setting.integer({ env, default: String(fallback), min: 1, max: 65535, help });

/**
 * Every setting of the native infrastructure: environment variables, with the ports of
 * ../shared/DESIGN.md as defaults. The table is the documentation (docs/infrastructure.md).
 */
export const SETTINGS = {
  workDir: setting.path({
    env: 'OBSCOST_WORK_DIR',
    default: path.join(ROOT, '.work'),
    defaultDoc: '.work/',
    help: "where each component's pid, log, data and config files go",
  }),
  cacheDir: setting.path({
    env: 'OBSCOST_CACHE_DIR',
    default: () =>
      path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'obscost'),
    defaultDoc: '~/.cache/obscost',
    help: 'what setup downloads and builds (Kafka jars, the Collector)',
  }),
  kafkaPort: port(
    'KAFKA_PORT',
    PORTS.kafka,
    "Kafka's client listener; with 3 nodes, node N's is this + 2(N-1)",
  ),
  kafkaControllerPort: port(
    'KAFKA_CONTROLLER_PORT',
    PORTS.kafkaController,
    "Kafka's KRaft controller listener; with 3 nodes, node N's is this + 2(N-1)",
  ),
  kafkaSaslSslPort: setting.integer({
    env: 'KAFKA_SASL_SSL_PORT',
    min: 1,
    max: 65535,
    help: 'a SASL_SSL listener (TLS, then a SCRAM-SHA-512 login) on this port; needs the three below',
  }),
  kafkaTlsKeystore: setting.path({
    env: 'KAFKA_TLS_KEYSTORE',
    help: "the SASL_SSL listener's PEM file: its private key (PKCS#8, unencrypted) and certificate chain",
  }),
  kafkaSaslUsername: setting.text({
    env: 'KAFKA_SASL_USERNAME',
    help: 'the SCRAM-SHA-512 user made when the storage is formatted (the clients read it too)',
  }),
  kafkaSaslPassword: setting.text({
    env: 'KAFKA_SASL_PASSWORD',
    help: "that user's password",
  }),
  kafkaNodes: setting.custom({
    env: 'KAFKA_NODES',
    default: '1',
    help: 'how many combined broker+controller nodes `up` starts: 1, or 3 for a replicated cluster (no other count)',
    parse: (text: string, name: string) => kafkaNodeCount(text, name),
  }),
  kafkaHeap: setting.custom({
    env: 'KAFKA_HEAP',
    defaultDoc: `${KAFKA_DEFAULT_HEAP.single}; ${KAFKA_DEFAULT_HEAP.cluster} with 3 nodes`,
    help: "each node's Java heap (-Xms and -Xmx)",
    parse: (text: string, name: string) => {
      if (!/^[1-9][0-9]*[mMgG]$/.test(text)) {
        throw new SettingError(`${name} must be a heap size such as 512m or 2g, got "${text}"`);
      }
      return text;
    },
  }),
  eventsTopic: setting.topic({
    env: 'KAFKA_EVENTS_TOPIC',
    default: TOPICS.events,
    help: "the observers' event batches",
  }),
  eventsPartitions: setting.integer({
    env: 'KAFKA_EVENTS_PARTITIONS',
    defaultDoc: `${KAFKA_DEFAULT_PARTITIONS.single}; ${KAFKA_DEFAULT_PARTITIONS.cluster} with 3 nodes`,
    min: 1,
    max: 1000,
    help: "the events topic's partitions, when `up` creates it",
  }),
  dlqTopic: setting.topic({
    env: 'KAFKA_DLQ_TOPIC',
    default: TOPICS.deadLetters,
    help: "the aggregator's dead letters",
  }),
  collectorConfig: setting.custom({
    env: 'OTEL_CONFIG',
    default: 'otel/collector.yaml',
    help: "the Collector's configuration, relative to the repository",
    parse: (text: string) => path.resolve(ROOT, text),
  }),
  otlpGrpcPort: port('COLLECTOR_OTLP_GRPC_PORT', PORTS.collectorOtlpGrpc, 'OTLP over gRPC'),
  otlpHttpPort: port('COLLECTOR_OTLP_HTTP_PORT', PORTS.collectorOtlpHttp, 'OTLP over HTTP'),
  collectorPrometheusPort: port(
    'COLLECTOR_PROMETHEUS_PORT',
    PORTS.collectorPrometheus,
    "the Collector's Prometheus exporter",
  ),
  collectorTelemetryPort: port(
    'COLLECTOR_TELEMETRY_PORT',
    PORTS.collectorTelemetry,
    "the Collector's own metrics",
  ),
  collectorHealthPort: port(
    'COLLECTOR_HEALTH_PORT',
    PORTS.collectorHealth,
    "the Collector's health check",
  ),
  collectorForwardPort: port(
    'COLLECTOR_FORWARD_PORT',
    PORTS.collectorForward,
    "Fluent Bit's forward protocol",
  ),
  prometheusPort: port('PROMETHEUS_PORT', PORTS.prometheus, 'Prometheus'),
  prometheusRules: setting.custom({
    env: 'PROMETHEUS_RULES',
    default: 'infra/prometheus/rules.yml',
    help: "Prometheus's recording rules, relative to the repository",
    parse: (text: string) => path.resolve(ROOT, text),
  }),
  appPort: port('APP_PORT', PORTS.app, 'the app, as Prometheus scrapes it'),
  appMetricsPort: setting.integer({
    env: 'APP_METRICS_PORT',
    min: 1,
    max: 65535,
    help: "the app's metrics listener; set, Prometheus scrapes the app there instead of `APP_PORT`",
  }),
  observerPort: port('OBSERVER_PORT', PORTS.observer, 'the observer, as Prometheus scrapes it'),
  aggregatorPort: port(
    'AGGREGATOR_PORT',
    PORTS.aggregator,
    'the aggregator, as Prometheus scrapes it',
  ),
  appLogFile: setting.path({
    env: 'APP_LOG_FILE',
    default: path.join(ROOT, '.work/app/requests.log'),
    defaultDoc: '.work/app/requests.log',
    help: 'the request log the `filelog` config tails',
  }),
};

export interface KafkaSaslSsl {
  readonly port: number;
  readonly keystore: string;
  readonly username: string;
  readonly password: string;
}

/** The SASL_SSL listener's settings: all of them, or none. */
function saslSsl(v: {
  kafkaSaslSslPort: number | undefined;
  kafkaTlsKeystore: string | undefined;
  kafkaSaslUsername: string | undefined;
  kafkaSaslPassword: string | undefined;
}): KafkaSaslSsl | undefined {
  const { kafkaSaslSslPort: port, kafkaTlsKeystore: keystore } = v;
  const { kafkaSaslUsername: username, kafkaSaslPassword: password } = v;
  if (port === undefined) return undefined;
  if (keystore === undefined || !username || !password) {
    throw new InfraError(
      'INFRA_USAGE',
      'KAFKA_SASL_SSL_PORT needs KAFKA_TLS_KEYSTORE, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD',
    );
  }
  if (/[,=\]\s]/.test(username) || /[,\]]/.test(password)) {
    throw new InfraError(
      'INFRA_USAGE',
      "KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD cannot hold ',' or ']' (nor '=' or a space in the user), which Kafka's --add-scram cannot quote",
    );
  }
  return Object.freeze({ port, keystore, username, password });
}

export interface InfraConfig {
  readonly workDir: string;
  readonly cacheDir: string;
  readonly kafka: {
    /** The first node's client and controller ports: the only node's, by default. */
    readonly port: number;
    readonly controllerPort: number;
    /** Each node's id and ports (kafka-nodes.ts says how they are derived). */
    readonly nodes: readonly KafkaNode[];
    /** Per node. */
    readonly heap: string;
    /** Every node's client listener, host:port joined with ',' as --kafka-brokers takes them. */
    readonly brokers: string;
    readonly eventsTopic: string;
    readonly eventsPartitions: number;
    readonly dlqTopic: string;
    /** The SASL_SSL listener, when there is one. */
    readonly saslSsl: KafkaSaslSsl | undefined;
  };
  readonly collector: {
    /** The Collector configuration file, absolute. */
    readonly config: string;
    readonly otlpGrpcPort: number;
    readonly otlpHttpPort: number;
    readonly prometheusPort: number;
    readonly telemetryPort: number;
    readonly healthPort: number;
    readonly forwardPort: number;
    readonly appLogFile: string;
  };
  readonly prometheus: {
    readonly port: number;
    /** The recording rules file, absolute. */
    readonly rules: string;
  };
  /** The app's own port (`npm run stack` starts it there). */
  readonly appPort: number;
  /** What Prometheus scrapes besides the infrastructure. */
  readonly targets: {
    /** The port of the app's /metrics: its metrics listener's, else its main port. */
    readonly app: number;
    readonly observer: number;
    readonly aggregator: number;
  };
}

/** Reads the settings from `env`; an invalid one is an INFRA_USAGE error naming it. */
export function loadInfraConfig(env: NodeJS.ProcessEnv = process.env): InfraConfig {
  const v = parseEnvironment(SETTINGS, {
    env,
    usageError: (message) => new InfraError('INFRA_USAGE', message),
  });
  const nodes = kafkaNodes(v.kafkaNodes, v.kafkaPort, v.kafkaControllerPort);
  const size = nodes.length === 1 ? 'single' : 'cluster';
  const kafkaSaslSsl = saslSsl(v);
  if (kafkaSaslSsl && nodes.length > 1) {
    throw new InfraError('INFRA_USAGE', 'KAFKA_SASL_SSL_PORT works with KAFKA_NODES=1 only');
  }
  return Object.freeze({
    workDir: v.workDir,
    cacheDir: v.cacheDir,
    kafka: Object.freeze({
      port: v.kafkaPort,
      controllerPort: v.kafkaControllerPort,
      nodes,
      heap: v.kafkaHeap ?? KAFKA_DEFAULT_HEAP[size],
      brokers: nodes.map((node) => `${LOOPBACK}:${node.port}`).join(','),
      eventsTopic: v.eventsTopic,
      eventsPartitions: v.eventsPartitions ?? KAFKA_DEFAULT_PARTITIONS[size],
      dlqTopic: v.dlqTopic,
      saslSsl: kafkaSaslSsl,
    }),
    collector: Object.freeze({
      config: v.collectorConfig,
      otlpGrpcPort: v.otlpGrpcPort,
      otlpHttpPort: v.otlpHttpPort,
      prometheusPort: v.collectorPrometheusPort,
      telemetryPort: v.collectorTelemetryPort,
      healthPort: v.collectorHealthPort,
      forwardPort: v.collectorForwardPort,
      appLogFile: v.appLogFile,
    }),
    prometheus: Object.freeze({ port: v.prometheusPort, rules: v.prometheusRules }),
    appPort: v.appPort,
    targets: Object.freeze({
      app: v.appMetricsPort ?? v.appPort,
      observer: v.observerPort,
      aggregator: v.aggregatorPort,
    }),
  });
}

/** The stack's port variables, each given a free port: a stack of its own, beside any other. */
export async function freeStackPorts(): Promise<Record<string, string>> {
  const names = [
    ...['KAFKA_PORT', 'KAFKA_CONTROLLER_PORT', 'PROMETHEUS_PORT'],
    ...['COLLECTOR_OTLP_GRPC_PORT', 'COLLECTOR_OTLP_HTTP_PORT', 'COLLECTOR_PROMETHEUS_PORT'],
    ...['COLLECTOR_TELEMETRY_PORT', 'COLLECTOR_HEALTH_PORT', 'COLLECTOR_FORWARD_PORT'],
    ...['APP_PORT', 'APP_METRICS_PORT', 'OBSERVER_PORT', 'AGGREGATOR_PORT'],
  ];
  const ports = await freePorts(names.length);
  return Object.fromEntries(names.map((name, i) => [name, String(ports[i])]));
}
