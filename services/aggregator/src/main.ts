import { EventConsumer } from './consumer.js';
import { parseAggregatorArgs, USAGE, UsageError } from './config.js';
import { startTelemetry } from './metrics.js';

const log = (line: string): void => {
  process.stdout.write(`aggregator: ${line}\n`);
};

async function main(argv: string[]): Promise<number> {
  const config = parseAggregatorArgs(argv);
  if (config === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let fail: (err: Error) => void = () => undefined;
  const failed = new Promise<Error>((resolve) => (fail = resolve));
  const consumer = new EventConsumer(config, {
    log,
    fatal: (err) => {
      fail(err);
    },
  });
  const telemetry = await startTelemetry(
    config,
    () => consumer.partitionStates(),
    () => consumer.health(),
  );
  consumer.onDelay = telemetry.recordDelay;
  if (telemetry.prometheusUrl !== undefined) log(`metrics on ${telemetry.prometheusUrl}`);
  if (config.exporter !== 'prometheus') log(`exporting OTLP to ${config.otlpUrl}`);
  const stopped = new Promise<void>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const)
      process.once(signal, () => {
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
  if (outcome !== undefined) throw outcome;
  log('stopped');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`aggregator: ${message}\n`);
    if (err instanceof UsageError) process.stderr.write('run with --help for usage\n');
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
