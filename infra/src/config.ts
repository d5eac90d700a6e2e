import { homedir } from 'node:os';
import path from 'node:path';
import envSchema from 'env-schema';

/** The repository's root, from infra/dist/src. */
export const ROOT = path.resolve(import.meta.dirname, '../../..');

const port = (fallback: number) =>
  ({ type: 'integer', minimum: 1, maximum: 65535, default: fallback }) as const;

/**
 * Every setting of the native infrastructure: environment variables, with the ports of
 * ../shared/DESIGN.md as defaults. The schema is the documentation (README, "Infrastructure").
 */
const SCHEMA = {
  type: 'object',
  properties: {
    OBSCOST_WORK_DIR: { type: 'string', minLength: 1, default: path.join(ROOT, '.work') },
    OBSCOST_CACHE_DIR: {
      type: 'string',
      minLength: 1,
      default: path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'obscost'),
    },
    KAFKA_PORT: port(9092),
    KAFKA_CONTROLLER_PORT: port(9093),
    KAFKA_HEAP: { type: 'string', pattern: '^[1-9][0-9]*[mMgG]$', default: '512m' },
    KAFKA_EVENTS_TOPIC: {
      type: 'string',
      pattern: '^[a-zA-Z0-9._-]{1,249}$',
      default: 'obscost.events',
    },
    KAFKA_EVENTS_PARTITIONS: { type: 'integer', minimum: 1, maximum: 1000, default: 3 },
    KAFKA_DLQ_TOPIC: {
      type: 'string',
      pattern: '^[a-zA-Z0-9._-]{1,249}$',
      default: 'obscost.events.dlq',
    },
    OTEL_CONFIG: { type: 'string', minLength: 1, default: 'otel/collector.yaml' },
    COLLECTOR_OTLP_GRPC_PORT: port(4317),
    COLLECTOR_OTLP_HTTP_PORT: port(4318),
    COLLECTOR_PROMETHEUS_PORT: port(8889),
    COLLECTOR_TELEMETRY_PORT: port(8888),
    COLLECTOR_HEALTH_PORT: port(13133),
    COLLECTOR_FORWARD_PORT: port(24224),
    PROMETHEUS_PORT: port(9090),
    APP_PORT: port(8080),
    OBSERVER_PORT: port(9100),
    AGGREGATOR_PORT: port(9464),
    APP_LOG_FILE: {
      type: 'string',
      minLength: 1,
      default: path.join(ROOT, '.work/app/requests.log'),
    },
  },
} as const;

export interface InfraConfig {
  readonly workDir: string;
  readonly cacheDir: string;
  readonly kafka: {
    readonly port: number;
    readonly controllerPort: number;
    readonly heap: string;
    readonly brokers: string;
    readonly eventsTopic: string;
    readonly eventsPartitions: number;
    readonly dlqTopic: string;
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
  readonly prometheus: { readonly port: number };
  /** What Prometheus scrapes besides the infrastructure. */
  readonly targets: {
    readonly app: number;
    readonly observer: number;
    readonly aggregator: number;
  };
}

/** An invalid setting: the message names the variable, its value and what is allowed. */
export class InfraConfigError extends Error {
  override name = 'InfraConfigError';
}

interface AjvError {
  instancePath: string;
  message?: string;
}

type Raw = Record<keyof (typeof SCHEMA)['properties'], string | number>;

export function loadInfraConfig(env: NodeJS.ProcessEnv = process.env): InfraConfig {
  let raw: Raw;
  try {
    raw = envSchema<Raw>({ schema: SCHEMA, data: env, dotenv: false });
  } catch (err) {
    const first = (err as { errors?: AjvError[] }).errors?.[0];
    const name = first?.instancePath.replace(/^\//, '') ?? '';
    throw new InfraConfigError(
      name === ''
        ? (err as Error).message
        : `${name}=${JSON.stringify(env[name])} is invalid: ${name} ${first?.message ?? ''}`.trim(),
    );
  }
  const str = (key: keyof Raw): string => String(raw[key]);
  const num = (key: keyof Raw): number => Number(raw[key]);
  return Object.freeze({
    workDir: path.resolve(str('OBSCOST_WORK_DIR')),
    cacheDir: path.resolve(str('OBSCOST_CACHE_DIR')),
    kafka: Object.freeze({
      port: num('KAFKA_PORT'),
      controllerPort: num('KAFKA_CONTROLLER_PORT'),
      heap: str('KAFKA_HEAP'),
      brokers: `127.0.0.1:${num('KAFKA_PORT')}`,
      eventsTopic: str('KAFKA_EVENTS_TOPIC'),
      eventsPartitions: num('KAFKA_EVENTS_PARTITIONS'),
      dlqTopic: str('KAFKA_DLQ_TOPIC'),
    }),
    collector: Object.freeze({
      config: path.resolve(ROOT, str('OTEL_CONFIG')),
      otlpGrpcPort: num('COLLECTOR_OTLP_GRPC_PORT'),
      otlpHttpPort: num('COLLECTOR_OTLP_HTTP_PORT'),
      prometheusPort: num('COLLECTOR_PROMETHEUS_PORT'),
      telemetryPort: num('COLLECTOR_TELEMETRY_PORT'),
      healthPort: num('COLLECTOR_HEALTH_PORT'),
      forwardPort: num('COLLECTOR_FORWARD_PORT'),
      appLogFile: path.resolve(str('APP_LOG_FILE')),
    }),
    prometheus: Object.freeze({ port: num('PROMETHEUS_PORT') }),
    targets: Object.freeze({
      app: num('APP_PORT'),
      observer: num('OBSERVER_PORT'),
      aggregator: num('AGGREGATOR_PORT'),
    }),
  });
}
