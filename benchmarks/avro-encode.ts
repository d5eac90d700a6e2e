/**
 * Avro encoding in isolation: the observer's BatchEncoder, writing events straight from
 * ring-buffer words, beside avsc encoding the same batch from objects (what a generic
 * encoder needs: one object per event). Median events/s of several runs.
 *
 *   npm run bench:avro -- [--runs 7] [--events 1000000]
 */
import { median } from '@obscost/measure';
import { BATCH_TYPE, BatchEncoder, decodeBatch } from '@obscost/events';
import { benchmarkFlags, flag } from './settings.js';

const { runs, events: total } = benchmarkFlags('bench:avro', 'Avro encoding in isolation.', {
  runs: flag.runs(7),
  events: flag.count('events', 1_000_000, 'events a run'),
});

// Events as the ring buffer holds them: 8-byte header, then 32 bytes of struct event.
const WORDS_PER_RECORD = 10;
const words = new Uint32Array(total * WORDS_PER_RECORD);
for (let i = 0; i < total; i++) {
  const base = i * WORDS_PER_RECORD + 2;
  words[base] = (1_000_000_000 + i * 1000) >>> 0; // timestamp_ns, low
  words[base + 1] = 0x44e; // timestamp_ns, high
  words[base + 2] = 153 + (i % 7); // bytes
  words[base + 4] = 4242; // pid
  words[base + 5] = 4243; // tid
  words[base + 6] = 17; // fd
  words[base + 7] = (1 << 16) | (1 + (i % 4)); // kind, flags
}

/** Every event through the BatchEncoder, in 64 KiB batches; returns the records. */
function encodeWithBatchEncoder(): Buffer[] {
  const encoder = new BatchEncoder('bench', 'host', Date.now(), 64 * 1024);
  const records: Buffer[] = [];
  for (let i = 0; i < total; i++) {
    encoder.append(words, i * WORDS_PER_RECORD + 2);
    if (encoder.full) records.push(encoder.close(records.length + 1));
  }
  records.push(encoder.close(records.length + 1));
  return records;
}

const batches = encodeWithBatchEncoder();
const objects = batches.map((batch) => decodeBatch(batch));

function encodeWithAvsc(): Buffer[] {
  return objects.map((batch) => BATCH_TYPE.toBuffer(batch));
}

function rate(encode: () => Buffer[]): number {
  const start = process.hrtime.bigint();
  encode();
  return (total / Number(process.hrtime.bigint() - start)) * 1e9;
}

const ours: number[] = [];
const avsc: number[] = [];
for (let i = 0; i < runs; i++) {
  ours.push(rate(encodeWithBatchEncoder));
  avsc.push(rate(encodeWithAvsc));
}
const bytesPerEvent = batches.reduce((sum, record) => sum + record.length, 0) / total;
const show = (r: number[]): string => r.map((v) => (v / 1e6).toFixed(2)).join(' ');
process.stdout.write(
  `${total} events a run, ${runs} runs, ${bytesPerEvent.toFixed(1)} bytes/event in 64 KiB batches\n` +
    `BatchEncoder (from ring-buffer words)  median ${(median(ours) / 1e6).toFixed(2)} M events/s   runs: ${show(ours)}\n` +
    `avsc toBuffer (from objects)           median ${(median(avsc) / 1e6).toFixed(2)} M events/s   runs: ${show(avsc)}\n`,
);
