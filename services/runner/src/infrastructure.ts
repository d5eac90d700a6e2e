import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  collectorBinary,
  collectorEnv,
  componentNamed,
  createTopics,
  kafkaLibs,
  loadInfraConfig,
  ROOT,
  up,
  type InfraConfig,
} from '@obscost/infra';
import { freePorts } from '@obscost/process';

/** The infrastructure settings that are ports: each gets a free one, so nothing meets a stack. */
const PORT_SETTINGS = [
  'KAFKA_PORT',
  'KAFKA_CONTROLLER_PORT',
  'PROMETHEUS_PORT',
  'COLLECTOR_OTLP_GRPC_PORT',
  'COLLECTOR_OTLP_HTTP_PORT',
  'COLLECTOR_PROMETHEUS_PORT',
  'COLLECTOR_TELEMETRY_PORT',
  'COLLECTOR_HEALTH_PORT',
  'COLLECTOR_FORWARD_PORT',
  'APP_PORT',
  'OBSERVER_PORT',
  'AGGREGATOR_PORT',
];

/** A Collector the comparison started: its pid and where its Prometheus exporter answers. */
export interface StartedCollector {
  pid: number;
  config: InfraConfig;
  metricsUrl: string;
  stop(): Promise<void>;
}

/**
 * The infrastructure of one comparison, in a work directory of its own on free ports: Kafka,
 * started the first time a scenario needs it and kept for the rounds after (its CPU is
 * charged to the scenarios that use it, over their runs), and Collectors, one per scenario
 * run, each with its own configuration and storage.
 */
export class Infrastructure {
  private kafkaConfig: InfraConfig | undefined;
  private collectors = 0;

  private constructor(
    readonly workDir: string,
    private readonly ports: Record<string, string>,
    private readonly log: (line: string) => void,
  ) {}

  static async create(log: (line: string) => void): Promise<Infrastructure> {
    const ports = await freePorts(PORT_SETTINGS.length);
    const env = Object.fromEntries(PORT_SETTINGS.map((name, i) => [name, String(ports[i])]));
    // A bad setting in the environment (KAFKA_HEAP=lots) fails here, before anything exists.
    loadInfraConfig({ ...process.env, ...env });
    return new Infrastructure(mkdtempSync(path.join(tmpdir(), 'obscost-comparison-')), env, log);
  }

  /** The infrastructure's settings, with `env` over the comparison's own. */
  config(env: Record<string, string> = {}): InfraConfig {
    return loadInfraConfig({
      ...process.env,
      OBSCOST_WORK_DIR: this.workDir,
      ...this.ports,
      ...env,
    });
  }

  /** Why the Collector cannot run here, if it cannot. */
  collectorMissing(): string | undefined {
    const binary = collectorBinary(this.config());
    return existsSync(binary) ? undefined : `no Collector build at ${binary}: run "npm run setup"`;
  }

  /** Why Kafka cannot run here, if it cannot. */
  kafkaMissing(): string | undefined {
    const libs = kafkaLibs(this.config());
    return existsSync(libs) ? undefined : `no Kafka jars at ${libs}: run "npm run setup"`;
  }

  /** Kafka with `topic` created (one per round, so an aggregator reads only its round). */
  async kafka(topic: string): Promise<InfraConfig> {
    if (this.kafkaConfig === undefined) {
      this.kafkaConfig = this.config();
      await up(this.kafkaConfig, this.log, [componentNamed('kafka')]);
    }
    const config = this.config({ KAFKA_EVENTS_TOPIC: topic });
    await createTopics(config);
    return config;
  }

  kafkaPid(): number | undefined {
    return this.kafkaConfig && componentNamed('kafka').process(this.kafkaConfig).pid();
  }

  /**
   * A Collector with `otelConfig` (relative to the repository: several are merged, the later
   * over the earlier), tailing `logFile` if asked, with `env` for what the configs read.
   */
  async collector(
    otelConfig: string | readonly string[],
    logFile?: string,
    env: Record<string, string> = {},
  ): Promise<StartedCollector> {
    const [base = '', ...overlays] = typeof otelConfig === 'string' ? [otelConfig] : otelConfig;
    const config = this.config({
      OTEL_CONFIG: base,
      // Its own storage (the filelog receiver's offsets), so no run resumes another's.
      OBSCOST_WORK_DIR: path.join(this.workDir, `collector-${++this.collectors}`),
      ...(logFile === undefined ? {} : { APP_LOG_FILE: logFile }),
    });
    const component = withConfigs(componentNamed('collector'), overlays, env);
    await up(config, this.log, [component]);
    const managed = component.process(config);
    return {
      pid: managed.pid() ?? 0,
      config,
      metricsUrl: `http://127.0.0.1:${config.collector.prometheusPort}/metrics`,
      stop: () => managed.stop(10_000),
    };
  }

  /** Stops Kafka and removes the work directory. */
  async stop(): Promise<void> {
    if (this.kafkaConfig !== undefined) {
      await componentNamed('kafka').process(this.kafkaConfig).stop(20_000);
    }
    rmSync(this.workDir, { recursive: true, force: true });
  }
}

type CollectorComponent = ReturnType<typeof componentNamed>;

/**
 * The Collector started with `overlays` merged over its config (the Collector merges its
 * --config files in order, maps key by key, lists replaced) and `env` beside its own: a small
 * file states what differs instead of a copy of the whole config.
 */
function withConfigs(
  collector: CollectorComponent,
  overlays: readonly string[],
  env: Record<string, string>,
): CollectorComponent {
  if (overlays.length === 0 && Object.keys(env).length === 0) return collector;
  return {
    ...collector,
    start(config) {
      const configs = [config.collector.config, ...overlays.map((f) => path.resolve(ROOT, f))];
      collector.process(config).start(
        collectorBinary(config),
        configs.flatMap((file) => ['--config', file]),
        {
          ...collectorEnv(config),
          ...env,
        },
      );
      return Promise.resolve();
    },
  };
}
