import { randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import avro from 'avsc';
import {
  BATCH_CANONICAL_SCHEMA,
  BATCH_TYPE,
  SINGLE_OBJECT_HEADER_SIZE,
  type DecodedBatch,
} from './avro.js';

const MAGIC = Buffer.from('Obj\x01');

/** An Avro long (zigzag varint) of a non-negative number. */
function long(value: number): Buffer {
  const bytes: number[] = [];
  let n = value * 2;
  while (n >= 0x80) {
    bytes.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

function string(text: string): Buffer {
  const bytes = Buffer.from(text);
  return Buffer.concat([long(bytes.length), bytes]);
}

/**
 * An Avro object container file of EventBatch records, written from the records as the
 * observer sends them to Kafka: a record's body is already the binary encoding of one
 * EventBatch, so each becomes a block of one object, behind a header with the schema.
 * avsc, fastavro and avro-tools read the file like any other.
 */
export class CaptureWriter {
  private readonly fd: number;
  private readonly sync = randomBytes(16);

  constructor(readonly file: string) {
    this.fd = openSync(file, 'w');
    const meta = Buffer.concat([
      long(2),
      string('avro.schema'),
      string(BATCH_CANONICAL_SCHEMA),
      string('avro.codec'),
      string('null'),
      long(0),
    ]);
    writeSync(this.fd, Buffer.concat([MAGIC, meta, this.sync]));
  }

  /** Appends one single-object-encoded record (a Kafka record value). */
  write(record: Buffer): void {
    const body = record.subarray(SINGLE_OBJECT_HEADER_SIZE);
    writeSync(this.fd, Buffer.concat([long(1), long(body.length), body, this.sync]));
  }

  close(): void {
    closeSync(this.fd);
  }
}

/**
 * The batches of a capture file (or any container file of EventBatch records), one at a
 * time, so that a large file is never held whole.
 */
export async function* captureBatches(file: string): AsyncGenerator<DecodedBatch> {
  const decoder = avro.createFileDecoder(file, { readerSchema: BATCH_TYPE });
  for await (const batch of decoder) yield batch as DecodedBatch;
}

/** Reads every batch of a capture file. */
export async function readCapture(file: string): Promise<DecodedBatch[]> {
  const batches: DecodedBatch[] = [];
  for await (const batch of captureBatches(file)) batches.push(batch);
  return batches;
}
