import { existsSync } from 'node:fs';
import { Kafka, logLevel, type Message } from 'kafkajs';
import { kafkaRefusal, runMain } from '@obscost/errors';
import { CaptureCutShort, captureBatches, encodeBatch, type DecodedBatch } from '@obscost/events';
import { sleep } from '@obscost/process';
import { AggregatorError } from './errors.js';
import { parseReplayArgs, REPLAY_USAGE, type ReplayConfig } from './replay-config.js';

/** One send's records, at most: under the broker's default 1 MiB per record batch. */
const SEND_BYTES = 512 * 1024;

async function replay(config: ReplayConfig): Promise<{ batches: number; events: number }> {
  if (!existsSync(config.file)) {
    throw new AggregatorError('AGG_NO_SUCH_FILE', `${config.file}: no such file`);
  }
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
      if (!(err instanceof CaptureCutShort)) {
        throw new AggregatorError(
          'AGG_NOT_A_CAPTURE',
          `${config.file}: not a capture file of event batches (${(err as Error).message})`,
          { cause: err },
        );
      }
      // The whole batches before the cut are good: they are sent before the error is told.
      await flush();
      throw new AggregatorError(
        'AGG_CAPTURE_CUT_SHORT',
        `${config.file}: ${err.message}; the ${batches} batches before it were sent`,
        { cause: err },
      );
    }
  };
  // The file is checked before Kafka is asked for anything.
  let batch = await nextBatch();
  const producer = new Kafka({
    clientId: 'obscost-replay',
    brokers: config.brokers,
    ...config.security,
    logLevel: logLevel.NOTHING,
  }).producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect().catch((err: unknown) => {
    const refused = kafkaRefusal(err);
    throw refused ? new AggregatorError('AGG_KAFKA_REFUSED', refused, { cause: err }) : err;
  });
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

runMain('replay', () => main(process.argv.slice(2)));
