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

/** struct event as the kernel writes it, as 32-bit words. */
function eventWords(fields: {
  timestamp: bigint;
  bytes: bigint;
  pid: number;
  tid: number;
  fd: number;
  kind: number;
  flags: number;
}): Uint32Array {
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

test("fastavro decodes the encoder's records with only the .avsc file", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-avro-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const incarnation = 1_764_806_400_000;
  const encoder = new BatchEncoder('observer-1', 'höst', incarnation, 1 << 16);
  const writev = {
    timestamp: 123_456_789_012n,
    bytes: 153n,
    pid: 4242,
    tid: 4243,
    fd: 17,
    kind: EventKind.WRITEV,
    flags: 1,
  };
  const huge = {
    timestamp: 2n ** 62n + 5n,
    bytes: 2n ** 40n,
    pid: 4_194_303,
    tid: 1,
    fd: -1,
    kind: EventKind.UPROBE,
    flags: 0,
  };
  const zero = {
    timestamp: 0n,
    bytes: 0n,
    pid: 1,
    tid: 1,
    fd: 2_147_483_647,
    kind: EventKind.WRITE,
    flags: 0,
  };
  const samples = [writev, huge, zero];
  for (const sample of samples) encoder.append(eventWords(sample), 0);
  const files = ['batch-1.bin', 'batch-2.bin', 'empty.bin'].map((name) => path.join(dir, name));
  const [first, secondFile, emptyFile] = files as [string, string, string];
  writeFileSync(first, encoder.close(1));
  encoder.append(eventWords(writev), 0);
  const processes = [
    { pid: 4242, name: 'obscost-app' },
    { pid: 7, name: 'nöde' },
  ];
  const second = encoder.close(2 ** 40, processes);
  writeFileSync(secondFile, second);
  writeFileSync(emptyFile, encoder.close(3));

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
  const expected = (s: (typeof samples)[number]) => ({
    timestamp_ns: Number(s.timestamp),
    bytes: Number(s.bytes),
    pid: s.pid,
    tid: s.tid,
    fd: s.fd,
    kind: kindSymbol(s.kind),
    flags: s.flags,
  });
  assert.deepEqual(decoded, [
    {
      observer_id: 'observer-1',
      host: 'höst',
      sequence: 1,
      incarnation,
      events: samples.map(expected),
      processes: [],
    },
    {
      observer_id: 'observer-1',
      host: 'höst',
      sequence: 2 ** 40,
      incarnation,
      events: [expected(writev)],
      processes,
    },
    {
      observer_id: 'observer-1',
      host: 'höst',
      sequence: 3,
      incarnation,
      events: [],
      processes: [],
    },
  ]);
  // JSON numbers lose what 2^62 + 5 needs: the exact value must be in Python's output.
  assert.ok(stdout.includes(`"timestamp_ns": ${2n ** 62n + 5n}`), 'a 64-bit timestamp, exactly');
  // avsc, which the aggregator decodes with, reads the same second record.
  assert.deepEqual(JSON.parse(JSON.stringify(decodeBatch(second))), decoded[1]);
});
