import { onShutdown, runMain, SHUTDOWN_SIGNALS } from '@obscost/errors';
import { parseAggregatorArgs, USAGE } from './config.js';
import { EventConsumer } from './consumer.js';
import { recordProcessMetrics } from './health-metrics.js';
import { SCOPE } from './state-metrics.js';
import { startTelemetry } from './telemetry.js';

const log = (line: string): void => {
  process.stdout.write(`aggregator: ${line}\n`);
};

async function main(argv: string[]): Promise<number> {
  const config = parseAggregatorArgs(argv);
  if (config === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let fail: (err: unknown) => void = () => undefined;
  const failed = new Promise<{ err: unknown }>((resolve) => {
    fail = (err) => {
      resolve({ err });
    };
  });
  const consumer = new EventConsumer(config, { log, fatal: fail });
  const telemetry = await startTelemetry(
    config,
    () => consumer.partitionStates(),
    () => consumer.health(),
  );
  consumer.onDelay = telemetry.recordDelay;
  recordProcessMetrics(telemetry.provider.getMeter(SCOPE.name));
  if (telemetry.prometheusUrl !== undefined) log(`metrics on ${telemetry.prometheusUrl}`);
  if (config.exporter !== 'prometheus') log(`exporting OTLP to ${config.otlpUrl}`);
  const stopped = new Promise<void>((resolve) => {
    onShutdown(SHUTDOWN_SIGNALS, () => {
      resolve();
    });
  });
  const started = consumer.start().then(() => {
    log(`consuming ${config.topic} as group ${config.groupId} (instance ${config.instanceId})`);
  }, fail);
  const outcome = await Promise.race([stopped.then(() => undefined), failed]);
  await consumer.stop();
  await started;
  await telemetry.shutdown();
  if (outcome !== undefined) throw outcome.err;
  log('stopped');
  return 0;
}

runMain('aggregator', () => main(process.argv.slice(2)));
