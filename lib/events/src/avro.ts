import { readFileSync } from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import { crc64Avro } from './crc64-avro.js';

/** lib/events/schema/event-batch.avsc: the schema of a Kafka record's value. */
export const BATCH_SCHEMA_FILE = path.resolve(import.meta.dirname, '../../schema/event-batch.avsc');

/** The part of avsc's internal reader (lib/utils.js, Tap) that an array's reader uses. */
interface Tap {
  buf: Buffer;
  pos: number;
  readLong(): number;
  skipLong(): void;
}

/** avsc's internal per-type reader, which its record readers call by name for each field. */
interface ReadableType {
  _read(tap: Tap): unknown;
}

/**
 * avsc believes an array block's item count and reads that many items, even past the end of
 * the buffer (it checks the position only once the whole value is read): a 21-byte record
 * that claims 2^31 events runs the process out of memory. Every item of this schema takes at
 * least one byte, so a block that claims more items than bytes are left is refused before
 * its first item is read. The loop is avsc's ArrayType._read with that one check.
 */
class CountCheckedArrayType extends avro.types.ArrayType {
  _read(tap: Tap): unknown[] {
    const items = this.itemsType as unknown as ReadableType;
    const values: unknown[] = [];
    for (let count = tap.readLong(); count !== 0; count = tap.readLong()) {
      if (count < 0) {
        count = -count;
        tap.skipLong();
      }
      const left = tap.buf.length - tap.pos;
      if (count > left) throw new Error(`an array block claims ${count} items in ${left} bytes`);
      for (let i = 0; i < count; i++) values.push(items._read(tap));
    }
    return values;
  }
}

export const BATCH_TYPE = avro.Type.forSchema(
  JSON.parse(readFileSync(BATCH_SCHEMA_FILE, 'utf8')) as avro.Schema,
  {
    typeHook: (schema, opts) =>
      typeof schema === 'object' && 'type' in schema && schema.type === 'array'
        ? new CountCheckedArrayType(schema, opts)
        : undefined,
  },
);

/** The schema's Parsing Canonical Form, whose CRC-64-AVRO names the schema in every record. */
export const BATCH_CANONICAL_SCHEMA = JSON.stringify(BATCH_TYPE.schema());

/** The fingerprint as single-object encoding writes it: 8 bytes, little-endian. */
export const BATCH_FINGERPRINT = (() => {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(crc64Avro(Buffer.from(BATCH_CANONICAL_SCHEMA)));
  return bytes;
})();

/** Avro single-object encoding's marker, then the 8-byte fingerprint. */
export const SINGLE_OBJECT_MAGIC = Buffer.from([0xc3, 0x01]);
export const SINGLE_OBJECT_HEADER_SIZE = 10;

export interface DecodedEvent {
  timestamp_ns: number;
  bytes: number;
  pid: number;
  tid: number;
  fd: number;
  kind: string;
  flags: number;
}

/** A target of the observer: the process name for the events' pid. */
export interface ProcessName {
  pid: number;
  name: string;
}

export interface DecodedBatch {
  observer_id: string;
  host: string;
  sequence: number;
  incarnation: number;
  events: DecodedEvent[];
  processes: ProcessName[];
}

/** Why a record could not be read as a batch: the aggregator sends it to the dead-letter topic. */
export class FramingError extends Error {
  override name = 'FramingError';
  constructor(
    readonly reason: 'not-single-object' | 'unknown-schema' | 'malformed',
    message: string,
  ) {
    super(message);
  }
}

/** Throws the FramingError for a record value that is not a batch of this schema. */
export function checkFraming(value: Buffer): void {
  if (value.length < SINGLE_OBJECT_HEADER_SIZE || value[0] !== 0xc3 || value[1] !== 0x01) {
    throw new FramingError(
      'not-single-object',
      'not Avro single-object encoding (no C3 01 marker)',
    );
  }
  const fingerprint = value.subarray(2, SINGLE_OBJECT_HEADER_SIZE);
  if (!fingerprint.equals(BATCH_FINGERPRINT)) {
    throw new FramingError(
      'unknown-schema',
      `unknown schema fingerprint ${fingerprint.toString('hex')}`,
    );
  }
}

/** Reads a Kafka record value: checks the framing and the schema, then decodes with avsc. */
export function decodeBatch(value: Buffer): DecodedBatch {
  checkFraming(value);
  try {
    return BATCH_TYPE.fromBuffer(value.subarray(SINGLE_OBJECT_HEADER_SIZE)) as DecodedBatch;
  } catch (err) {
    throw new FramingError('malformed', `malformed batch: ${(err as Error).message}`);
  }
}

/** Encodes a batch as a Kafka record value: the inverse of decodeBatch, for replays. */
export function encodeBatch(batch: DecodedBatch): Buffer {
  return Buffer.concat([SINGLE_OBJECT_MAGIC, BATCH_FINGERPRINT, BATCH_TYPE.toBuffer(batch)]);
}
