import { codedCause, EXIT, runMain } from '@obscost/errors';
import { LOOPBACK, parseSettings, usageText } from '@obscost/flags';
import { listening } from '@obscost/process';
import { loadInfraConfig, SETTINGS, type InfraConfig } from './config.js';
import { InfraError } from './errors.js';
import { SERVICES, STACK_APP_METRICS_PORT } from './services.js';
import { countsReport, everyApproachScraped } from './stack-counts.js';
import { stackStart } from './stack-start.js';
import {
  componentStatus,
  COMPONENTS,
  down as infraDown,
  status as infraStatus,
  statusLine,
  up,
  type Report,
} from './stack.js';

/** The Collector config that also tails the request log: every approach at once. */
const STACK_COLLECTOR_CONFIG = 'otel/collector-filelog.yaml';

const USAGE = usageText(SETTINGS, {
  usage: 'npm run stack -- up | down | status',
  about:
    'Runs everything natively on loopback, detached: the infrastructure ' +
    `(${COMPONENTS.map((c) => c.name).join(', ')}), then the app with its request log, the ` +
    'OpenTelemetry SDK and its metrics listener, the eBPF observer following it and forwarding ' +
    "to Kafka, and the aggregator. Settings are the infrastructure's environment variables " +
    `(docs/infrastructure.md); here APP_METRICS_PORT defaults to ${STACK_APP_METRICS_PORT} and ` +
    `OTEL_CONFIG to ${STACK_COLLECTOR_CONFIG} (the Collector tails the request log):`,
});

/** `status` exits so when something is not healthy, as `npm run infra -- status` does. */
const EXIT_NOT_HEALTHY = 3;

const report: Report = (line) => {
  process.stdout.write(`${line}\n`);
};

/** Where each part answers, once it is up. */
function endpoints(config: InfraConfig): string[] {
  const at = (port: number, route = ''): string => `http://${LOOPBACK}:${port}${route}`;
  const c = config.collector;
  return [
    `app          ${at(config.appPort)}`,
    `app metrics  ${at(config.targets.app, '/metrics')}`,
    `observer     ${at(config.targets.observer, '/metrics')}`,
    `aggregator   ${at(config.targets.aggregator, '/metrics')}`,
    `kafka        ${config.kafka.brokers}`,
    `collector    OTLP ${at(c.otlpHttpPort)} (gRPC :${c.otlpGrpcPort}), metrics ${at(c.prometheusPort, '/metrics')}`,
    `prometheus   ${at(config.prometheus.port)}`,
  ];
}

/** Stops our services, last started first, then the infrastructure; checks their ports closed. */
async function down(config: InfraConfig): Promise<void> {
  for (const service of [...SERVICES].reverse()) {
    const managed = service.process(config);
    const pid = managed.pid();
    await managed.stop(20_000);
    if (pid !== undefined) report(`${service.name}: stopped (pid ${pid})`);
  }
  for (const service of SERVICES) {
    for (const port of service.ports(config)) {
      if (await listening(port)) {
        throw new InfraError(
          'INFRA_PORT_STILL_OPEN',
          `${service.name}: port ${port} still listens after down`,
        );
      }
    }
  }
  await infraDown(config, report);
}

async function status(config: InfraConfig): Promise<boolean> {
  const states = [
    ...(await infraStatus(config)),
    ...(await Promise.all(SERVICES.map((service) => componentStatus(service, config)))),
  ];
  for (const s of states) report(statusLine(s));
  const prometheusUp = states.find((s) => s.name === 'prometheus')?.healthy === true;
  if (prometheusUp && states.find((s) => s.name === 'app')?.healthy === true) {
    for (const line of await countsReport(config, stackStart(config))) report(line);
  }
  return states.every((s) => s.healthy);
}

const usageError = (message: string): InfraError => new InfraError('INFRA_USAGE', message);

async function main(argv: string[]): Promise<number> {
  const { positionals, help } = parseSettings({}, argv, {
    env: {},
    positionals: true,
    usageError,
  });
  const [command, ...rest] = positionals;
  if (help || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return help ? EXIT.ok : EXIT.usage;
  }
  if (rest.length > 0) throw usageError(`unexpected argument "${rest[0] ?? ''}"`);
  const config = loadInfraConfig({
    APP_METRICS_PORT: String(STACK_APP_METRICS_PORT),
    OTEL_CONFIG: STACK_COLLECTOR_CONFIG,
    ...process.env,
  });
  switch (command) {
    case 'up':
      await up(config, report, [...COMPONENTS, ...SERVICES]);
      for (const line of endpoints(config)) report(line);
      report(await everyApproachScraped(config));
      report(
        `every approach counts from ${new Date(stackStart(config).startedAt).toISOString()}, the app's start (the aggregator's group ${stackStart(config).group} reads the events topic from then): \`npm run stack -- status\` shows their totals side by side`,
      );
      return EXIT.ok;
    case 'down':
      await down(config);
      return EXIT.ok;
    case 'status':
      return (await status(config)) ? EXIT.ok : EXIT_NOT_HEALTHY;
    default:
      throw usageError(`unknown command "${command}": up, down or status`);
  }
}

// No hint after a usage error: its line says what is allowed.
runMain('stack', () => main(process.argv.slice(2)), {
  usageHint: '',
  details: (err) => {
    const coded = codedCause(err);
    return coded instanceof InfraError ? coded.details : '';
  },
});
