import { hostname } from 'node:os';
import { TOPICS } from '@obscost/events';
import {
  kafkaClientSettings,
  DEFAULT_OTLP_HTTP_ENDPOINT,
  takeKafkaSecurity,
  LOOPBACK,
  type KafkaClientSecurity,
  parseSettings,
  PORTS,
  setting,
  SettingError,
  urlRule,
  usageText,
} from '@obscost/flags';
import { usageError } from './errors.js';
import { DEFAULT_MAX_SERIES } from './state-limits.js';

const EXPORTERS = ['prometheus', 'otlp', 'both'] as const;
export type Exporter = (typeof EXPORTERS)[number];

/** Where a group without committed offsets starts reading. */
export type StartPosition = { from: 'beginning' } | { from: 'timestamp'; timestampMs: number };

export interface AggregatorConfig {
  readonly brokers: string[];
  /** TLS and SASL options of its Kafka clients. */
  readonly security: KafkaClientSecurity;
  readonly topic: string;
  readonly dlqTopic: string;
  readonly groupId: string;
  /** Names this instance's Kafka clients and its exported `instance` resource attribute. */
  readonly instanceId: string;
  readonly start: StartPosition;
  readonly host: string;
  readonly port: number;
  readonly exporter: Exporter;
  /** OTLP/HTTP metrics URL when exporting over OTLP. */
  readonly otlpUrl: string;
  readonly exportIntervalMs: number;
  /** Whether `pid` is an attribute of the event series (one series per pid: see the docs). */
  readonly pidAttribute: boolean;
  /** Bytes a fetch may bring per partition: large fetches make few, large commits. */
  readonly fetchBytesPerPartition: number;
  /** Series a partition's state holds; past it, new series' events go to an overflow series. */
  readonly maxSeries: number;
}

/** An ISO 8601 date or epoch milliseconds. */
export function parseTimestamp(name: string, text: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new SettingError(`${name} must be an ISO 8601 time or epoch milliseconds, got "${text}"`);
  }
  return ms;
}

/** The OTLP/HTTP metrics URL under a base URL, as the OTEL_EXPORTER_OTLP_ENDPOINT spec has it. */
function metricsUrl(name: string, text: string): string {
  const base = urlRule(name, text);
  return new URL('v1/metrics', base.href.endsWith('/') ? base : `${base.href}/`).href;
}

/** Group ids end up in kafkajs client ids and log lines: kept to a safe alphabet. */
function groupName(name: string, text: string): string {
  if (!/^[\w.:-]{1,200}$/.test(text)) {
    throw new SettingError(`${name} must be a consumer group name, got "${text}"`);
  }
  return text;
}

export const SETTINGS = {
  ...kafkaClientSettings({
    brokersHelp: 'Kafka brokers, host:port,...',
    topicHelp: 'events topic',
    defaultTopic: TOPICS.events,
  }),
  dlqTopic: setting.topic({
    flag: 'dlq-topic',
    env: 'KAFKA_DLQ_TOPIC',
    placeholder: 'T',
    default: TOPICS.deadLetters,
    help: 'dead-letter topic',
  }),
  groupId: setting.custom({
    flag: 'group',
    placeholder: 'G',
    default: 'obscost-aggregator',
    help: 'consumer group',
    parse: (text, name) => groupName(name, text),
  }),
  instanceId: setting.text({
    flag: 'instance-id',
    placeholder: 'ID',
    default: () => `${hostname()}:${process.pid}`,
    defaultDoc: 'HOST:PID',
    help: "this instance's name",
  }),
  fromBeginning: setting.switch({
    flag: 'from-beginning',
    help: "a new group starts at the topic's beginning (the default)",
  }),
  fromTimestamp: setting.custom({
    flag: 'from-timestamp',
    placeholder: 'T',
    help: 'a new group starts at this time (ISO 8601 or epoch ms)',
    parse: (text, name) => parseTimestamp(name, text),
  }),
  host: setting.text({
    flag: 'host',
    placeholder: 'H',
    default: LOOPBACK,
    help: "Prometheus exporter's address",
  }),
  port: setting.integer({
    flag: 'port',
    env: 'AGGREGATOR_PORT',
    placeholder: 'P',
    default: String(PORTS.aggregator),
    min: 0,
    max: 65535,
    help: "Prometheus exporter's port",
  }),
  exporter: setting.choice({
    flag: 'exporter',
    placeholder: 'E',
    default: 'prometheus',
    help: 'prometheus, otlp or both',
    choices: EXPORTERS,
  }),
  otlpUrl: setting.custom({
    flag: 'otlp-endpoint',
    env: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    placeholder: 'URL',
    default: DEFAULT_OTLP_HTTP_ENDPOINT,
    help: 'OTLP/HTTP base URL; metrics go to its v1/metrics',
    parse: (text, name) => metricsUrl(name, text),
  }),
  exportIntervalMs: setting.integer({
    flag: 'export-interval',
    env: 'OTEL_METRIC_EXPORT_INTERVAL',
    placeholder: 'MS',
    default: '5000',
    min: 100,
    max: 3_600_000,
    help: 'OTLP export interval',
  }),
  pidAttribute: setting.switch({
    flag: 'pid-attribute',
    help: 'add pid to the event series (one series per process instance)',
  }),
  fetchBytesPerPartition: setting.size({
    flag: 'fetch-bytes',
    placeholder: 'S',
    default: '8M',
    min: 64 * 1024,
    max: 256 * 1024 ** 2,
    help: 'bytes per partition per fetch: bigger fetches, fewer commits',
  }),
  maxSeries: setting.integer({
    flag: 'max-series',
    placeholder: 'N',
    default: String(DEFAULT_MAX_SERIES),
    min: 1,
    max: DEFAULT_MAX_SERIES,
    help: "series per partition; past it, new series' events go to an _overflow series",
  }),
};

export const USAGE = usageText(SETTINGS, {
  usage: 'npm run aggregator -- [options]',
  about:
    "Consumes the observers' Avro event batches from Kafka and exports the seed's counters and " +
    'size histograms as OpenTelemetry metrics, exactly once across restarts and rebalances.',
});

/** The aggregator's configuration, frozen; undefined after --help. */
export function parseAggregatorArgs(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): AggregatorConfig | undefined {
  const { values, help } = parseSettings(SETTINGS, argv, { env, usageError });
  if (help) return undefined;
  const { security, rest: others } = takeKafkaSecurity(values, usageError);
  const { fromBeginning, fromTimestamp, ...rest } = others;
  if (fromBeginning && fromTimestamp !== undefined) {
    throw usageError('give at most one of --from-beginning and --from-timestamp');
  }
  return Object.freeze({
    ...rest,
    security,
    start:
      fromTimestamp === undefined
        ? { from: 'beginning' as const }
        : { from: 'timestamp' as const, timestampMs: fromTimestamp },
  });
}
