import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import {
  decodeEvent,
  EVENT_FLAG_SOCKET,
  EVENT_LAYOUT,
  EVENT_SIZE,
  EventKind,
} from '../src/event.js';

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
