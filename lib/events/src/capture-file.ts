import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readSync,
  rmSync,
  writeSync,
} from 'node:fs';
import avro from 'avsc';
import {
  BATCH_CANONICAL_SCHEMA,
  BATCH_TYPE,
  SINGLE_OBJECT_HEADER_SIZE,
  type DecodedBatch,
} from './avro.js';

const MAGIC = Buffer.from('Obj\x01');
/** The sync marker after the header and after every block. */
const SYNC_SIZE = 16;

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
 *
 * The file holds whole blocks only: a write that fails half way (a full disk) is cut back
 * off, so what was captured stays readable. An existing file is replaced only if asked, and
 * only once the capture begins (the first batch, or the close): until then it is intact.
 */
export class CaptureWriter {
  private readonly fd: number;
  private readonly sync = randomBytes(SYNC_SIZE);
  /** Whether this writer made the file (rather than opening one to replace). */
  private readonly created: boolean;
  private begun = false;
  /** Bytes of whole blocks (and the header) in the file. */
  private length = 0;

  /** Opens `file` for a capture; an existing one is an error (EEXIST) unless `overwrite`. */
  constructor(
    readonly file: string,
    { overwrite = false }: { overwrite?: boolean } = {},
  ) {
    this.created = !(overwrite && existsSync(file));
    // No O_TRUNC: an existing file keeps its content until the capture begins.
    this.fd = openSync(file, overwrite ? constants.O_WRONLY | constants.O_CREAT : 'wx');
  }

  /** Appends one single-object-encoded record (a Kafka record value), whole or not at all. */
  write(record: Buffer): void {
    this.begin();
    const body = record.subarray(SINGLE_OBJECT_HEADER_SIZE);
    this.append(Buffer.concat([long(1), long(body.length), body, this.sync]));
  }

  /** Ends the capture: a file with no batch still gets its header, a valid empty capture. */
  close(): void {
    try {
      this.begin();
    } finally {
      closeSync(this.fd);
    }
  }

  /** Gives up before the capture began (a failed start): a replaced file is left as it was. */
  discard(): void {
    closeSync(this.fd);
    if (this.created && !this.begun) rmSync(this.file, { force: true });
  }

  private begin(): void {
    if (this.begun) return;
    this.begun = true;
    ftruncateSync(this.fd, 0);
    const meta = Buffer.concat([
      long(2),
      string('avro.schema'),
      string(BATCH_CANONICAL_SCHEMA),
      string('avro.codec'),
      string('null'),
      long(0),
    ]);
    this.append(Buffer.concat([MAGIC, meta, this.sync]));
  }

  /** Writes `bytes` after the last whole block, or cuts off what part of them was written and throws. */
  private append(bytes: Buffer): void {
    try {
      for (let done = 0; done < bytes.length;) {
        done += writeSync(this.fd, bytes, done, bytes.length - done, this.length + done);
      }
    } catch (err) {
      ftruncateSync(this.fd, this.length);
      throw err;
    }
    this.length += bytes.length;
  }
}

/** A capture file whose last block is not whole: a copy cut short, a disk that filled. */
export class CaptureCutShort extends Error {
  override name = 'CaptureCutShort';
}

/**
 * Where a container file's whole blocks end, found by walking the block headers (each block
 * says its size): before the file's size when it was cut short, -1 when even its header is
 * not whole. avsc's decoder reads the whole blocks of such a file and ends without a word
 * about the rest. A file that does not begin as a container file is left to avsc to refuse.
 */
export function wholeBlocksEnd(file: string): { end: number; size: number } {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const magic = Buffer.alloc(MAGIC.length);
    const magicRead = readSync(fd, magic, 0, magic.length, 0);
    if (!magic.subarray(0, magicRead).equals(MAGIC.subarray(0, magicRead)))
      return { end: size, size };
    let pos = MAGIC.length;
    /** The Avro long at `pos`; undefined where the file ends inside it. */
    const readLong = (): number | undefined => {
      const bytes = Buffer.alloc(10);
      const read = readSync(fd, bytes, 0, bytes.length, pos);
      let value = 0;
      for (let i = 0, scale = 1; i < read; i++, scale *= 0x80) {
        const byte = bytes[i] ?? 0;
        value += (byte & 0x7f) * scale;
        if (byte < 0x80) {
          pos += i + 1;
          return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
        }
      }
      return undefined;
    };
    // The header: the metadata map's blocks of (key, value) byte strings, then the sync marker.
    for (let count = readLong(); count !== 0; count = readLong()) {
      if (count === undefined) return { end: -1, size };
      if (count < 0) readLong();
      for (let i = 0; i < Math.abs(count) * 2; i++) {
        // Not `pos += readLong()`: that adds to pos as it was before readLong moved it.
        const length = readLong() ?? size;
        pos += length;
      }
    }
    pos += SYNC_SIZE;
    if (pos > size) return { end: -1, size };
    while (pos < size) {
      const start = pos;
      const objects = readLong();
      const bytes = readLong();
      if (objects === undefined || bytes === undefined || pos + bytes + SYNC_SIZE > size) {
        return { end: start, size };
      }
      pos += bytes + SYNC_SIZE;
    }
    return { end: pos, size };
  } finally {
    closeSync(fd);
  }
}

/**
 * The batches of a capture file (or any container file of EventBatch records), one at a
 * time, so that a large file is never held whole. A file cut short gives its whole blocks,
 * then CaptureCutShort.
 */
export async function* captureBatches(file: string): AsyncGenerator<DecodedBatch> {
  const { end, size } = wholeBlocksEnd(file);
  if (end < 0) throw new CaptureCutShort(`cut short: it ends inside its header, at byte ${size}`);
  const decoder = avro.createFileDecoder(file, { readerSchema: BATCH_TYPE });
  for await (const batch of decoder) yield batch as DecodedBatch;
  if (end < size) {
    throw new CaptureCutShort(
      `cut short: its whole blocks end at byte ${end}, then ${size - end} bytes that are not a whole block`,
    );
  }
}

/** Reads every batch of a capture file. */
export async function readCapture(file: string): Promise<DecodedBatch[]> {
  const batches: DecodedBatch[] = [];
  for await (const batch of captureBatches(file)) batches.push(batch);
  return batches;
}
