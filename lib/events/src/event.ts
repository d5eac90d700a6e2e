/**
 * struct event of bpf/observer.h, as bytes: offsets and sizes here are checked against the
 * compiled object's BTF by test/event-layout.test.ts.
 */
export const EVENT_SIZE = 32;

export const EVENT_LAYOUT = {
  timestamp_ns: { offset: 0, size: 8 },
  bytes: { offset: 8, size: 8 },
  pid: { offset: 16, size: 4 },
  tid: { offset: 20, size: 4 },
  fd: { offset: 24, size: 4 },
  kind: { offset: 28, size: 2 },
  flags: { offset: 30, size: 2 },
} as const;

/** enum event_kind. */
export const EventKind = {
  WRITE: 1,
  WRITEV: 2,
  TCP_SEND: 3,
  UPROBE: 4,
} as const;
export type EventKind = (typeof EventKind)[keyof typeof EventKind];
export const EVENT_KIND_COUNT = 5;

export const KIND_NAMES: Record<EventKind, string> = {
  [EventKind.WRITE]: 'write',
  [EventKind.WRITEV]: 'writev',
  [EventKind.TCP_SEND]: 'tcp_send',
  [EventKind.UPROBE]: 'uprobe',
};

/** enum event_flag. */
export const EVENT_FLAG_SOCKET = 1;

export interface ObservedEvent {
  timestampNs: bigint;
  bytes: number;
  pid: number;
  tid: number;
  fd: number;
  kind: number;
  flags: number;
}

/** Decodes one event; for tests and tools, not the hot path (which reads fields in place). */
export function decodeEvent(view: DataView, offset: number): ObservedEvent {
  const L = EVENT_LAYOUT;
  return {
    timestampNs: view.getBigUint64(offset + L.timestamp_ns.offset, true),
    bytes: Number(view.getBigUint64(offset + L.bytes.offset, true)),
    pid: view.getUint32(offset + L.pid.offset, true),
    tid: view.getUint32(offset + L.tid.offset, true),
    fd: view.getInt32(offset + L.fd.offset, true),
    kind: view.getUint16(offset + L.kind.offset, true),
    flags: view.getUint16(offset + L.flags.offset, true),
  };
}
