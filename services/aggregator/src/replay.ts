import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { captureBatches, encodeBatch, type DecodedBatch } from '@obscost/events';
import { Kafka, logLevel, type Message } from 'kafkajs';
import { brokersFlag, topicFlag, UsageError } from '@obscost/flags';

export const REPLAY_USAGE = `usage: npm run replay -- CAPTURE.avro [options]

Publishes the batches of a capture file (observer --capture) to the events topic as the
observer sent them: same framing, observer id, sequence numbers and record key.

  --rate R                 events per second at most (default: as fast as Kafka takes them)
  --kafka-brokers LIST     host:port,... (default KAFKA_BROKERS or 127.0.0.1:9092)
  --topic T                (default KAFKA_EVENTS_TOPIC or obscost.events)`;

/** One send's records, at most: under the broker's default 1 MiB per record batch. */
const SEND_BYTES = 512 * 1024;

interface ReplayConfig {
  file: string;
  rate: number | undefined;
  brokers: string[];
  topic: string;
}

function parseReplayArgs(argv: string[], env = process.env): ReplayConfig | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        rate: { type: 'string' },
        'kafka-brokers': { type: 'string', default: env.KAFKA_BROKERS ?? '127.0.0.1:9092' },
        topic: { type: 'string', default: env.KAFKA_EVENTS_TOPIC ?? 'obscost.events' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0] ?? 'bad flags');
  }
  const { values, positionals } = parsed;
  if (values.help) return undefined;
  if (positionals.length !== 1 || positionals[0] === undefined) {
    throw new UsageError('name exactly one capture file');
  }
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0)) {
    throw new UsageError(
      `--rate must be a positive number of events per second, got "${values.rate}"`,
    );
  }
  return {
    file: positionals[0],
    rate,
    brokers: brokersFlag('kafka-brokers', values['kafka-brokers']),
    topic: topicFlag('topic', values.topic),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function replay(config: ReplayConfig): Promise<{ batches: number; events: number }> {
  if (!existsSync(config.file)) throw new Error(`${config.file}: no such file`);
  const tty = process.stderr.isTTY;
  const started = performance.now();
  let batches = 0;
  let events = 0;
  let pending: Message[] = [];
  let pendingBytes = 0;
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    await producer.send({ topic: config.topic, acks: -1, messages: pending });
    pending = [];
    pendingBytes = 0;
    if (tty) process.stderr.write(`\rreplay: ${batches} batches, ${events} events sent`);
  };
  const capture = captureBatches(config.file);
  const nextBatch = async (): Promise<DecodedBatch | undefined> => {
    try {
      const next = await capture.next();
      return next.done ? undefined : next.value;
    } catch (err) {
      throw new Error(
        `${config.file}: not a capture file of event batches (${(err as Error).message})`,
        { cause: err },
      );
    }
  };
  // The file is checked before Kafka is asked for anything.
  let batch = await nextBatch();
  const producer = new Kafka({
    clientId: 'obscost-replay',
    brokers: config.brokers,
    logLevel: logLevel.NOTHING,
  }).producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (; batch !== undefined; batch = await nextBatch()) {
      const value = encodeBatch(batch);
      if (pendingBytes + value.length > SEND_BYTES) await flush();
      pending.push({ key: batch.observer_id, value });
      pendingBytes += value.length;
      batches++;
      events += batch.events.length;
      if (config.rate !== undefined) {
        // Paced per batch: each one leaves when the events before it have had their time.
        await flush();
        const due = started + (events / config.rate) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
      }
    }
    await flush();
  } finally {
    if (tty) process.stderr.write('\n');
    await producer.disconnect();
  }
  return { batches, events };
}

async function main(argv: string[]): Promise<number> {
  const config = parseReplayArgs(argv);
  if (config === undefined) {
    process.stdout.write(`${REPLAY_USAGE}\n`);
    return 0;
  }
  const started = performance.now();
  const { batches, events } = await replay(config);
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `replay: ${batches} batches, ${events} events from ${config.file} to ${config.topic} ` +
      `in ${seconds.toFixed(1)} s\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`replay: ${err instanceof Error ? err.message : String(err)}\n`);
    if (err instanceof UsageError) process.stderr.write('run with --help for usage\n');
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
