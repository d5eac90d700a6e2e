import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  BATCH_SCHEMA_FILE,
  BatchEncoder,
  decodeBatch,
  EVENT_SIZE,
  EventKind,
} from '@obscost/events';
import { loadInfraConfig, ROOT, testPython } from '@obscost/infra';
import { run } from './support.js';

/** The Avro enum's symbol for a kind: its name in bpf/observer.h's enum event_kind. */
function kindSymbol(kind: number): string {
  const found = Object.entries(EventKind).find(([, value]) => value === kind);
  assert.ok(found, `kind ${kind}`);
  return found[0];
}

/** The fields of struct event, as the kernel fills them in. */
interface Sample {
  timestamp: bigint;
  bytes: bigint;
  pid: number;
  tid: number;
  fd: number;
  kind: number;
  flags: number;
}

/** struct event as the kernel writes it, as 32-bit words. */
function eventWords(fields: Sample): Uint32Array {
  const view = new DataView(new ArrayBuffer(EVENT_SIZE));
  view.setBigUint64(0, fields.timestamp, true);
  view.setBigUint64(8, fields.bytes, true);
  view.setUint32(16, fields.pid, true);
  view.setUint32(20, fields.tid, true);
  view.setInt32(24, fields.fd, true);
  view.setUint16(28, fields.kind, true);
  view.setUint16(30, fields.flags, true);
  return new Uint32Array(view.buffer);
}

const WRITEV: Sample = {
  timestamp: 123_456_789_012n,
  bytes: 153n,
  pid: 4242,
  tid: 4243,
  fd: 17,
  kind: EventKind.WRITEV,
  flags: 1,
};
/** The largest values the fields hold: a timestamp past 2^53, a PID at the kernel's limit. */
const HUGE: Sample = {
  timestamp: 2n ** 62n + 5n,
  bytes: 2n ** 40n,
  pid: 4_194_303,
  tid: 1,
  fd: -1,
  kind: EventKind.UPROBE,
  flags: 0,
};
const ZERO: Sample = {
  timestamp: 0n,
  bytes: 0n,
  pid: 1,
  tid: 1,
  fd: 2_147_483_647,
  kind: EventKind.WRITE,
  flags: 0,
};
const SAMPLES = [WRITEV, HUGE, ZERO];
const INCARNATION = 1_764_806_400_000;
const PROCESSES = [
  { pid: 4242, name: 'obscost-app' },
  { pid: 7, name: 'nöde' },
];

/** A sample as a record of the .avsc decodes it, in JSON. */
function decodedEvent(s: Sample): Record<string, unknown> {
  return {
    timestamp_ns: Number(s.timestamp),
    bytes: Number(s.bytes),
    pid: s.pid,
    tid: s.tid,
    fd: s.fd,
    kind: kindSymbol(s.kind),
    flags: s.flags,
  };
}

/**
 * Three batches of one encoder, written in `dir`: every sample; WRITEV again with the
 * processes table and a sequence past 2^32; none. Returns their files and the second batch.
 */
function writeBatches(dir: string): { files: string[]; second: Buffer } {
  const encoder = new BatchEncoder('observer-1', 'höst', INCARNATION, 1 << 16);
  for (const sample of SAMPLES) encoder.append(eventWords(sample), 0);
  const files = ['batch-1.bin', 'batch-2.bin', 'empty.bin'].map((name) => path.join(dir, name));
  const [first, secondFile, emptyFile] = files as [string, string, string];
  writeFileSync(first, encoder.close(1));
  encoder.append(eventWords(WRITEV), 0);
  const second = encoder.close(2 ** 40, PROCESSES);
  writeFileSync(secondFile, second);
  writeFileSync(emptyFile, encoder.close(3));
  return { files, second };
}

test("fastavro decodes the encoder's records with only the .avsc file", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-avro-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const { files, second } = writeBatches(dir);

  const python = testPython(loadInfraConfig());
  const { code, stdout, stderr } = await run(python, [
    path.join(ROOT, 'test/decode_with_fastavro.py'),
    BATCH_SCHEMA_FILE,
    ...files,
  ]);
  assert.equal(code, 0, stderr);
  const decoded = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.deepEqual(decoded, [
    {
      observer_id: 'observer-1',
      host: 'höst',
      sequence: 1,
      incarnation: INCARNATION,
      events: SAMPLES.map(decodedEvent),
      processes: [],
    },
    {
      observer_id: 'observer-1',
      host: 'höst',
      sequence: 2 ** 40,
      incarnation: INCARNATION,
      events: [decodedEvent(WRITEV)],
      processes: PROCESSES,
    },
    {
      observer_id: 'observer-1',
      host: 'höst',
      sequence: 3,
      incarnation: INCARNATION,
      events: [],
      processes: [],
    },
  ]);
  // JSON numbers lose what 2^62 + 5 needs: the exact value must be in Python's output.
  assert.ok(stdout.includes(`"timestamp_ns": ${2n ** 62n + 5n}`), 'a 64-bit timestamp, exactly');
  // avsc, which the aggregator decodes with, reads the same second record.
  assert.deepEqual(JSON.parse(JSON.stringify(decodeBatch(second))), decoded[1]);
});
