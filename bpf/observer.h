/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The one definition of what the observer's BPF programs send to user space. The
 * TypeScript layout (lib/events/src/event.ts) and the Avro schema
 * (lib/events/schema/event-batch.avsc) are checked against this struct's layout in the
 * compiled object's BTF by lib/events/test/event-layout.test.ts.
 */
#ifndef OBSERVER_H
#define OBSERVER_H

/* What an event counts. Values are shared with user space: never renumber. */
enum event_kind {
	EVENT_WRITE = 1,    /* write(2) by the target: bytes written */
	EVENT_WRITEV = 2,   /* writev(2) by the target: bytes written */
	EVENT_TCP_SEND = 3, /* a TCP send by the target: bytes sent */
	EVENT_UPROBE = 4,   /* a call of the app's app_write(bytes) marker */
	EVENT_KIND_COUNT = 5,
};

/* event.flags */
enum event_flag {
	EVENT_FLAG_SOCKET = 1, /* the written fd is a socket */
};

struct event {
	__u64 timestamp_ns; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 bytes;
	__u32 pid; /* thread group id, what user space calls the pid */
	__u32 tid;
	__s32 fd;    /* -1 where there is none (TCP send, uprobe) */
	__u16 kind;  /* enum event_kind */
	__u16 flags; /* enum event_flag bits */
};

/*
 * --mode count: the size histogram's buckets, the aggregator's (SIZE_BOUNDS in
 * lib/events/src/sizes.ts): upper bounds 64 B << 2i for i < SIZE_BOUND_COUNT (64 B to 1 MiB,
 * powers of 4), then one unbounded bucket.
 */
#define SIZE_BOUND_FIRST 64
#define SIZE_BOUND_COUNT 8

/* What --mode count keeps per CPU, by kind * 2 + (fd is a socket): no event leaves the kernel. */
struct event_counts {
	__u64 events;
	__u64 bytes;
	__u64 sizes[SIZE_BOUND_COUNT + 1]; /* events per size bucket */
};

#endif /* OBSERVER_H */
