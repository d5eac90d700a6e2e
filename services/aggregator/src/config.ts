import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { brokersFlag, integerFlag, sizeFlag, topicFlag, UsageError } from '@obscost/flags';

export { UsageError };

export type Exporter = 'prometheus' | 'otlp' | 'both';

/** Where a group without committed offsets starts reading. */
export type StartPosition = { from: 'beginning' } | { from: 'timestamp'; timestampMs: number };

export interface AggregatorConfig {
  readonly brokers: string[];
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
  /** Whether `pid` is an attribute of the event series (one series per pid: see README). */
  readonly pidAttribute: boolean;
  /** Bytes a fetch may bring per partition: large fetches make few, large commits. */
  readonly fetchBytesPerPartition: number;
}

export const USAGE = `usage: npm run aggregator -- [options]

Consumes the observers' Avro event batches from Kafka and exports the seed's counters and
size histograms as OpenTelemetry metrics, exactly once across restarts and rebalances.

  --kafka-brokers LIST     host:port,... (default KAFKA_BROKERS or 127.0.0.1:9092)
  --topic T                events topic (default KAFKA_EVENTS_TOPIC or obscost.events)
  --dlq-topic T            dead-letter topic (default KAFKA_DLQ_TOPIC or obscost.events.dlq)
  --group G                consumer group (default obscost-aggregator)
  --instance-id ID         this instance's name (default HOST:PID)
  --from-beginning         a new group starts at the topic's beginning (the default)
  --from-timestamp T       a new group starts at this time (ISO 8601 or epoch ms)
  --host H, --port P       Prometheus exporter address (default 127.0.0.1:9464, or
                           AGGREGATOR_PORT)
  --exporter E             prometheus, otlp or both (default prometheus)
  --otlp-endpoint URL      OTLP/HTTP base URL (default OTEL_EXPORTER_OTLP_ENDPOINT or
                           http://127.0.0.1:4318)
  --export-interval MS     OTLP export interval (default OTEL_METRIC_EXPORT_INTERVAL or 5000)
  --pid-attribute          add pid to the event series (one series per process instance)
  --fetch-bytes S          bytes per partition per fetch (default 8M)`;

/** An ISO 8601 date or epoch milliseconds. */
export function parseTimestamp(flag: string, text: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new UsageError(`--${flag} must be an ISO 8601 time or epoch milliseconds, got "${text}"`);
  }
  return ms;
}

export function parseAggregatorArgs(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): AggregatorConfig | undefined {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      options: {
        'kafka-brokers': { type: 'string', default: env.KAFKA_BROKERS ?? '127.0.0.1:9092' },
        topic: { type: 'string', default: env.KAFKA_EVENTS_TOPIC ?? 'obscost.events' },
        'dlq-topic': { type: 'string', default: env.KAFKA_DLQ_TOPIC ?? 'obscost.events.dlq' },
        group: { type: 'string', default: 'obscost-aggregator' },
        'instance-id': { type: 'string', default: `${hostname()}:${process.pid}` },
        'from-beginning': { type: 'boolean', default: false },
        'from-timestamp': { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: env.AGGREGATOR_PORT ?? '9464' },
        exporter: { type: 'string', default: 'prometheus' },
        'otlp-endpoint': {
          type: 'string',
          default: env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318',
        },
        'export-interval': { type: 'string', default: env.OTEL_METRIC_EXPORT_INTERVAL ?? '5000' },
        'pid-attribute': { type: 'boolean', default: false },
        'fetch-bytes': { type: 'string', default: '8M' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0] ?? 'bad flags');
  }
  if (values.help) return undefined;
  if (values['from-beginning'] && values['from-timestamp'] !== undefined) {
    throw new UsageError('give at most one of --from-beginning and --from-timestamp');
  }
  const exporter = values.exporter;
  if (exporter !== 'prometheus' && exporter !== 'otlp' && exporter !== 'both') {
    throw new UsageError(`--exporter must be prometheus, otlp or both, got "${exporter}"`);
  }
  let otlpBase: URL;
  try {
    otlpBase = new URL(values['otlp-endpoint']);
  } catch {
    throw new UsageError(`--otlp-endpoint must be a URL, got "${values['otlp-endpoint']}"`);
  }
  if (!/^[\w.:-]{1,200}$/.test(values.group)) {
    throw new UsageError(`--group must be a consumer group name, got "${values.group}"`);
  }
  return Object.freeze({
    brokers: brokersFlag('kafka-brokers', values['kafka-brokers']),
    topic: topicFlag('topic', values.topic),
    dlqTopic: topicFlag('dlq-topic', values['dlq-topic']),
    groupId: values.group,
    instanceId: values['instance-id'],
    start:
      values['from-timestamp'] === undefined
        ? { from: 'beginning' as const }
        : {
            from: 'timestamp' as const,
            timestampMs: parseTimestamp('from-timestamp', values['from-timestamp']),
          },
    host: values.host,
    port: integerFlag('port', values.port, 0, 65535),
    exporter,
    otlpUrl: new URL('v1/metrics', otlpBase.href.endsWith('/') ? otlpBase : `${otlpBase.href}/`)
      .href,
    exportIntervalMs: integerFlag('export-interval', values['export-interval'], 100, 3_600_000),
    pidAttribute: values['pid-attribute'],
    fetchBytesPerPartition: sizeFlag(
      'fetch-bytes',
      values['fetch-bytes'],
      64 * 1024,
      256 * 1024 ** 2,
    ),
  });
}
