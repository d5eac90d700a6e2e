import { isDeepStrictEqual } from 'node:util';
import { decodeSnapshot, encodeSnapshot, invalidBatch, PartitionState } from '@obscost/aggregator';
import { BenchError, ResponseParser } from '@obscost/bench';
import {
  BATCH_FINGERPRINT,
  BatchReader,
  decodeBatch,
  FramingError,
  SINGLE_OBJECT_MAGIC,
  type BatchColumns,
  type DecodedBatch,
} from '@obscost/events';
import type { FuzzTarget } from './target.js';

const tokens = (...texts: string[]): Buffer[] => texts.map((text) => Buffer.from(text, 'latin1'));

type Outcome = { refused: string } | { counted: unknown };

/** What the avsc decoding makes of a record: refused with a reason, or the state counted. */
function byAvsc(input: Buffer): Outcome {
  let batch: DecodedBatch;
  try {
    batch = decodeBatch(input);
  } catch (err) {
    if (err instanceof FramingError) return { refused: err.reason };
    throw err;
  }
  const invalid = invalidBatch(batch);
  if (invalid !== undefined) return { refused: invalid };
  const state = new PartitionState(false, 64);
  state.add(batch, 0, 0);
  return { counted: state.toData() };
}

const reader = new BatchReader();

/** The same, the consumer's way: the reader's columns, counted from them. */
function byReader(input: Buffer): Outcome & { state?: PartitionState } {
  let batch: BatchColumns;
  try {
    batch = reader.read(input);
  } catch (err) {
    if (err instanceof FramingError) return { refused: err.reason };
    throw err;
  }
  const invalid = PartitionState.invalid(batch);
  if (invalid !== undefined) return { refused: invalid };
  const state = new PartitionState(false, 64);
  state.addColumns(batch, 0, 0);
  return { counted: state.toData(), state };
}

/**
 * A Kafka record's value as the aggregator takes it: the framing and schema check, the
 * decoding straight from the bytes (BatchReader), the check that the batch can be counted,
 * the count itself, and the snapshot of the totals that is committed with the offset (which
 * must read back as it was written). avsc's decoding, checked and counted, must agree.
 */
const aggregatorRecord: FuzzTarget = {
  about: "the aggregator's reading of a Kafka record, up to the committed snapshot",
  scripts: ['/lib/events/dist/', '/services/aggregator/dist/', '/node_modules/avsc/'],
  dictionary: [
    Buffer.concat([SINGLE_OBJECT_MAGIC, BATCH_FINGERPRINT]),
    // Zigzag varints at the edges: 0, -1, 2^31 - 1, -2^31, 2^53, and an over-long one.
    ...[[0x00], [0x01], [0xfe, 0xff, 0xff, 0xff, 0x0f], [0xff, 0xff, 0xff, 0xff, 0x0f]].map(
      (bytes) => Buffer.from(bytes),
    ),
    Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]),
    Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
  ],
  maxLength: 4096,
  run(input) {
    const { state, ...read } = byReader(input);
    const decoded = byAvsc(input);
    if (!isDeepStrictEqual(read, decoded)) {
      throw new Error(`read ${JSON.stringify(read)}, avsc ${JSON.stringify(decoded)}`);
    }
    if (state === undefined) return;
    const snapshot = encodeSnapshot(state);
    if (encodeSnapshot(decodeSnapshot(snapshot, false, 64)) !== snapshot) {
      throw new Error('the snapshot does not read back as it was written');
    }
  },
};

interface Parsed {
  responses: [number, boolean][];
  refused: string | undefined;
}

function parseInChunks(stream: Buffer, chunkSize: number, bodyless: boolean): Parsed {
  const parsed: Parsed = { responses: [], refused: undefined };
  const parser = new ResponseParser((status, keepAlive) => {
    parsed.responses.push([status, keepAlive]);
  });
  parser.bodyless = bodyless;
  try {
    for (let at = 0; at < stream.length; at += chunkSize) {
      parser.execute(stream.subarray(at, at + chunkSize));
    }
    parser.end();
  } catch (err) {
    if (!(err instanceof BenchError) || err.code !== 'BENCH_MALFORMED_RESPONSE') throw err;
    parsed.refused = err.message;
  }
  return parsed;
}

/**
 * Bytes from a server as the load generator reads them: the first byte says how the stream
 * arrives (chunk size, whether it answers HEAD requests). Read whole and read in chunks, the
 * stream must give the same responses, or be refused with the same reason.
 */
const benchResponse: FuzzTarget = {
  about: "the load generator's HTTP/1.1 response parser, whole and in chunks",
  scripts: ['/services/bench/dist/'],
  dictionary: tokens(
    'HTTP/1.1 200 OK\r\n',
    'HTTP/1.0 204 \r\n',
    'HTTP/1.1 100 Continue\r\n\r\n',
    'Content-Length: ',
    'Transfer-Encoding: chunked\r\n',
    'Connection: close\r\n',
    'Connection: keep-alive\r\n',
    '\r\n',
    '\r\n\r\n',
    '0\r\n\r\n',
    'ffffffffffffffff',
    '18446744073709551616',
    ';ext=1',
  ),
  maxLength: 4096,
  run(input) {
    const how = input[0] ?? 0;
    const stream = input.subarray(1);
    const bodyless = (how & 0x80) !== 0;
    const whole = parseInChunks(stream, Math.max(1, stream.length), bodyless);
    const chunked = parseInChunks(stream, 1 + (how & 0x7f), bodyless);
    if (!isDeepStrictEqual(whole, chunked)) {
      throw new Error(
        `read whole ${JSON.stringify(whole)}, in chunks of ${1 + (how & 0x7f)} ${JSON.stringify(chunked)}`,
      );
    }
  },
};

/** Every target `npm run fuzz` knows, by the name its corpus folder has. */
export const TARGETS: Readonly<Record<string, FuzzTarget>> = {
  'aggregator-record': aggregatorRecord,
  'bench-response': benchResponse,
};
