import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  decodeEvent,
  EVENT_FLAG_SOCKET,
  EVENT_LAYOUT,
  EVENT_SIZE,
  EventKind,
} from '../src/event.js';
import { BATCH_CANONICAL_SCHEMA, BATCH_FINGERPRINT, BATCH_SCHEMA_FILE } from '../src/avro.js';
import { crc64Avro } from '../src/crc64-avro.js';
import { SIZE_BOUNDS, sizeBucket } from '../src/sizes.js';

const OBJECT = path.resolve(import.meta.dirname, '../../../../bpf/build/observer.bpf.o');

interface BtfType {
  id: number;
  kind: string;
  name?: string;
  size?: number;
  type_id?: number;
  members?: { name: string; type_id: number; bits_offset: number }[];
  values?: { name: string; val: number }[];
}

function btf(): BtfType[] {
  const out = execFileSync('bpftool', ['-j', 'btf', 'dump', 'file', OBJECT], { encoding: 'utf8' });
  return (JSON.parse(out) as { types: BtfType[] }).types;
}

test("the decoder's offsets and sizes are the compiled struct event's, from its BTF", () => {
  const types = btf();
  const byId = new Map(types.map((t) => [t.id, t]));
  const sizeOf = (id: number): number => {
    const type = byId.get(id);
    assert.ok(type, `BTF type ${id}`);
    return type.size ?? sizeOf(type.type_id ?? 0);
  };
  const event = types.find((t) => t.kind === 'STRUCT' && t.name === 'event');
  assert.ok(event?.members, 'struct event is in the BTF');
  assert.equal(event.size, EVENT_SIZE);
  const fromBtf = Object.fromEntries(
    event.members.map((m) => [m.name, { offset: m.bits_offset / 8, size: sizeOf(m.type_id) }]),
  );
  assert.deepEqual(fromBtf, EVENT_LAYOUT);
});

test('event kinds and flags are the C enums', () => {
  const types = btf();
  const values = (name: string): Record<string, number> => {
    const found = types.find((t) => t.kind === 'ENUM' && t.name === name);
    assert.ok(found?.values, `enum ${name} is in the BTF`);
    return Object.fromEntries(found.values.map((v) => [v.name, v.val]));
  };
  assert.deepEqual(values('event_kind'), {
    EVENT_WRITE: EventKind.WRITE,
    EVENT_WRITEV: EventKind.WRITEV,
    EVENT_TCP_SEND: EventKind.TCP_SEND,
    EVENT_UPROBE: EventKind.UPROBE,
    EVENT_KIND_COUNT: 5,
  });
  assert.deepEqual(values('event_flag'), { EVENT_FLAG_SOCKET });
});

test('a hand-written event decodes field by field (golden bytes)', () => {
  // prettier-ignore
  const bytes = new Uint8Array([
    0x00, 0x10, 0x32, 0x54, 0x76, 0x98, 0x00, 0x00, // timestamp_ns = 0x987654321000
    0x99, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // bytes = 153
    0x39, 0x30, 0x00, 0x00,                         // pid = 12345
    0x3a, 0x30, 0x00, 0x00,                         // tid = 12346
    0xff, 0xff, 0xff, 0xff,                         // fd = -1
    0x02, 0x00,                                     // kind = EVENT_WRITEV
    0x01, 0x00,                                     // flags = EVENT_FLAG_SOCKET
  ]);
  assert.equal(bytes.length, EVENT_SIZE);
  assert.deepEqual(decodeEvent(new DataView(bytes.buffer), 0), {
    timestampNs: 0x987654321000n,
    bytes: 153,
    pid: 12345,
    tid: 12346,
    fd: -1,
    kind: EventKind.WRITEV,
    flags: EVENT_FLAG_SOCKET,
  });
});

test("the Avro Event record has struct event's fields, in order", () => {
  const batch = JSON.parse(readFileSync(BATCH_SCHEMA_FILE, 'utf8')) as {
    fields: { name: string; type: { items?: { fields: { name: string }[] } } }[];
  };
  const events = batch.fields.find((field) => field.name === 'events');
  assert.deepEqual(
    events?.type.items?.fields.map((field) => field.name),
    Object.keys(EVENT_LAYOUT),
  );
});

test('the Avro EventKind symbols are enum event_kind, by index', () => {
  const kinds = (
    JSON.parse(readFileSync(BATCH_SCHEMA_FILE, 'utf8')) as {
      fields: {
        name: string;
        type: { items?: { fields: { name: string; type: { symbols?: string[] } }[] } };
      }[];
    }
  ).fields
    .find((field) => field.name === 'events')
    ?.type.items?.fields.find((field) => field.name === 'kind')?.type.symbols;
  assert.deepEqual(kinds, ['UNSPECIFIED', 'WRITE', 'WRITEV', 'TCP_SEND', 'UPROBE']);
  for (const [name, value] of Object.entries(EventKind)) assert.equal(kinds[value], name);
});

test('the single-object fingerprint is CRC-64-AVRO (the specification\'s vector for "int")', () => {
  assert.equal(crc64Avro(Buffer.from('"int"')), 0x7275d51a3f395c8fn);
  assert.equal(BATCH_FINGERPRINT.readBigUInt64LE(), crc64Avro(Buffer.from(BATCH_CANONICAL_SCHEMA)));
});

test("count mode's struct event_counts holds one counter per size bucket of SIZE_BOUNDS", () => {
  const counts = btf().find((t) => t.kind === 'STRUCT' && t.name === 'event_counts');
  assert.ok(counts, 'struct event_counts in the BTF');
  // u64 events, u64 bytes, then a u64 per bucket: the bounds and one unbounded bucket.
  assert.equal(counts.size, 8 * (2 + SIZE_BOUNDS.length + 1));
});

test('sizeBucket: a size falls in the first bucket whose bound it does not exceed', () => {
  for (const [bytes, bucket] of [
    [0, 0],
    [64, 0],
    [65, 1],
    [1024, 2],
    [1025, 3],
    [1048576, 7],
    [1048577, 8],
  ] as const) {
    assert.equal(sizeBucket(bytes), bucket, `${bytes} bytes`);
  }
});
