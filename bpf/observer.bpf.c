// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The CO-RE observer's kernel side: what the target process writes (write/writev), sends
 * over TCP, and reports through its app_write uprobe marker, one event each into a ring
 * buffer. Every failed reservation is counted, by kind, in a per-CPU array: the ring
 * buffer never loses an event without a number. In count mode the same probes count into a
 * per-CPU array instead, and nothing leaves the kernel but the totals.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "observer.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define S_IFMT	    00170000
#define S_IFSOCK    0140000
#define IPPROTO_TCP 6
#define MAX_TARGETS 64

/* Its size is set by user space before load (--ring-buffer-size). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024 * 1024);
} events SEC(".maps");

/* Failed ring-buffer reservations, by enum event_kind. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EVENT_KIND_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* --mode count: events counted in place, by kind * 2 + (flags & EVENT_FLAG_SOCKET). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EVENT_KIND_COUNT * 2);
	__type(key, __u32);
	__type(value, struct event_counts);
} counts SEC(".maps");

/*
 * Set by user space before load (--mode count). Constant to the verifier, so the mode not
 * chosen is dead code: ring mode pays nothing for count mode's branch. Its own section keeps
 * it the only value of its map, which user space sets whole.
 */
const volatile __u32 count_mode SEC(".rodata.mode") = 0;

/*
 * Set by user space before load (--uprobe-abi go): the marker is a Go function, whose first
 * integer argument Go's register ABI passes in the return-value register (RAX on x86-64, X0 on
 * arm64), not in the C ABI's first argument register. Its own section, as count_mode's.
 */
const volatile __u32 marker_go_abi SEC(".rodata.abi") = 0;

/* The processes observed, by tgid; user space updates it when the target restarts. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_TARGETS);
	__type(key, __u32);
	__type(value, __u8);
} targets SEC(".maps");

/*
 * How far each program goes. The observer runs them whole; bench:probe-cost
 * (benchmarks/probe-cost.ts) builds this file again stopping after each part (bpf/Makefile),
 * to measure what each part costs the process that runs it.
 */
#define STAGE_ATTACH 1 /* return at once: what the attach point costs */
#define STAGE_LOOKUP 2 /* + the target lookup */
#define STAGE_SOCKET 3 /* + reading the fd and whether it is a socket (writes only) */
#define STAGE_ALL    4 /* + the hand-off to user space */
#ifndef STOP_AFTER
#define STOP_AFTER STAGE_ALL
#endif

/* Force the event's types into the object's BTF, where the layout test reads them. */
const struct event *unused_event __attribute__((unused));
const enum event_kind *unused_event_kind __attribute__((unused));
const enum event_flag *unused_event_flag __attribute__((unused));

/*
 * The one target's tgid while the observer follows exactly one process (the usual case),
 * else 0. Set, a compare replaces the hash lookup in every process that runs a probe (about
 * 25 ns on a quiet day here, 110 ns on a busy one). Its own section, so user space sets it
 * as a one-value map.
 */
__u32 single_target SEC(".data.target") = 0;

static __always_inline bool is_target(__u32 tgid)
{
	__u32 single = single_target;

	if (single)
		return tgid == single;
	return bpf_map_lookup_elem(&targets, &tgid) != NULL;
}

static __always_inline void count_drop(__u32 kind)
{
	__u64 *count = bpf_map_lookup_elem(&drops, &kind);

	if (count)
		*count += 1;
}

/* The size bucket of SIZE_BOUND_COUNT bounds, unrolled: each bound a constant. */
static __always_inline __u32 size_bucket(__u64 bytes)
{
	__u32 bucket = 0;

#pragma unroll
	for (int i = 0; i < SIZE_BOUND_COUNT; i++) {
		if (bytes > ((__u64)SIZE_BOUND_FIRST << (2 * i)))
			bucket = i + 1;
	}
	return bucket;
}

static __always_inline void count_event(__u16 kind, __u64 bytes, __u16 flags)
{
	__u32 key = kind * 2 + (flags & EVENT_FLAG_SOCKET);
	struct event_counts *c = bpf_map_lookup_elem(&counts, &key);
	__u32 bucket = size_bucket(bytes);

	if (!c)
		return;
	c->events += 1;
	c->bytes += bytes;
	c->sizes[bucket] += 1;
}

static __always_inline void emit(__u16 kind, __u64 bytes, __s32 fd, __u16 flags)
{
	__u64 id;
	struct event *e;

	if (count_mode) {
		count_event(kind, bytes, flags);
		return;
	}
	id = bpf_get_current_pid_tgid();
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		count_drop(kind);
		return;
	}
	e->timestamp_ns = bpf_ktime_get_ns();
	e->bytes = bytes;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->fd = fd;
	e->kind = kind;
	e->flags = flags;
	/* User space polls and never sleeps on the ring buffer: asking for no wake-up saves
	 * the irq_work the kernel would otherwise queue for each event it finds the consumer
	 * caught up with (expensive on VMs, and charged to the app). */
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
}

/* A kfunc (Linux 6.2 and later): the file pointer read from the fd table becomes one the
 * verifier lets the program load through directly, without a helper call per field. Built
 * with NO_RDONLY_CAST (observer-compat.bpf.o, which the observer loads on older kernels) the
 * check reads through the CO-RE helpers instead: libbpf 1.1 looks for a kfunc it does not find
 * in the modules' BTF too, which needs CAP_SYS_ADMIN, so even a weak one fails to load there. */
#ifndef NO_RDONLY_CAST
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
#endif

/*
 * The same by probe reads alone, for kernels before 5.11, which have no BTF-typed task
 * pointer (bpf_get_current_task_btf).
 */
static __always_inline bool fd_is_socket_read(__s32 fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;

	if (fd < 0 || (__u32)fd >= BPF_CORE_READ(fdt, max_fds))
		return false;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file && (BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) == S_IFSOCK;
}

/*
 * Whether the current task's fd is a socket. The loads through the BTF-typed task pointer
 * are plain loads; only the fd table's slot, at a variable offset, needs a probe read. Five
 * probe reads cost about 350 ns a write on these VMs (retpolines make each helper call
 * dear); this costs about 170 ns less (docs/benchmarks.md). A kernel without that pointer
 * gets the probe reads: the check is a CO-RE constant, so the verifier never walks the
 * branch the kernel cannot run.
 */
static __always_inline bool fd_is_socket(__s32 fd)
{
	struct task_struct *task;

	if (!bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf))
		return fd_is_socket_read(fd);
	task = bpf_get_current_task_btf();
	struct fdtable *fdt = task->files->fdt;
	struct file *file = NULL;

	if (fd < 0 || (__u32)fd >= fdt->max_fds)
		return false;
	bpf_probe_read_kernel(&file, sizeof(file), &fdt->fd[fd]);
	if (!file)
		return false;
#ifdef NO_RDONLY_CAST
	return (BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) == S_IFSOCK;
#else
	file = bpf_rdonly_cast(file, bpf_core_type_id_kernel(struct file));
	return (file->f_inode->i_mode & S_IFMT) == S_IFSOCK;
#endif
}

/* A target's write that wrote `ret` bytes to `fd`: whether the fd is a socket, then its event. */
static __always_inline void emit_write(__u16 kind, long ret, __s32 fd)
{
	/* volatile: a build that stops after the check must still make it */
	volatile bool socket = fd_is_socket(fd);

	if (STOP_AFTER == STAGE_SOCKET)
		return;
	emit(kind, ret, fd, socket ? EVENT_FLAG_SOCKET : 0);
}

/*
 * Writes count at syscall exit, with the bytes the kernel took: a partial write of a
 * non-blocking socket counts what was written, not what was asked. The fd is the
 * syscall's first argument, still in the registers saved at entry, so no entry probe and
 * no map are needed to carry it.
 */
static __always_inline int exit_write(struct trace_event_raw_sys_exit *ctx, __u16 kind)
{
	struct pt_regs *regs;

	if (STOP_AFTER == STAGE_ATTACH)
		return 0;
	if (ctx->ret <= 0 || !is_target(bpf_get_current_pid_tgid() >> 32))
		return 0;
	if (STOP_AFTER == STAGE_LOOKUP)
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	emit_write(kind, ctx->ret, (__s32)PT_REGS_PARM1_CORE_SYSCALL(regs));
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_write")
int write_exit(struct trace_event_raw_sys_exit *ctx)
{
	return exit_write(ctx, EVENT_WRITE);
}

SEC("tracepoint/syscalls/sys_exit_writev")
int writev_exit(struct trace_event_raw_sys_exit *ctx)
{
	return exit_write(ctx, EVENT_WRITEV);
}

/*
 * The same writes where the kernel lets a program trace its functions (--write-probe auto
 * takes these first). A syscall tracepoint puts every syscall of every process on the traced
 * slow path while it is attached; a function's exit taxes the calls of that function alone.
 * The fd and the bytes written are the function's own argument and return value.
 */
static __always_inline int fexit_write(long ret, __s32 fd, __u16 kind)
{
	if (STOP_AFTER == STAGE_ATTACH)
		return 0;
	if (ret <= 0 || !is_target(bpf_get_current_pid_tgid() >> 32))
		return 0;
	if (STOP_AFTER == STAGE_LOOKUP)
		return 0;
	emit_write(kind, ret, fd);
	return 0;
}

SEC("fexit/ksys_write")
int BPF_PROG(write_fexit, unsigned int fd, const char *buf, size_t count, ssize_t ret)
{
	return fexit_write(ret, (__s32)fd, EVENT_WRITE);
}

SEC("fexit/do_writev")
int BPF_PROG(writev_fexit, unsigned long fd, const struct iovec *vec, unsigned long vlen,
	     rwf_t flags, ssize_t ret)
{
	return fexit_write(ret, (__s32)fd, EVENT_WRITEV);
}

/* TCP send where the kernel has kprobes: the bytes asked of tcp_sendmsg. */
SEC("kprobe/tcp_sendmsg")
int BPF_KPROBE(tcp_send_kprobe, struct sock *sk, struct msghdr *msg, size_t size)
{
	if (STOP_AFTER == STAGE_ATTACH || !is_target(bpf_get_current_pid_tgid() >> 32))
		return 0;
	if (STOP_AFTER == STAGE_ALL)
		emit(EVENT_TCP_SEND, size, -1, 0);
	return 0;
}

/*
 * TCP send elsewhere: every sendmsg on a socket reports the bytes it sent. The BTF-typed
 * raw tracepoint runs the program on the tracepoint's own arguments; the classic one first
 * builds a perf record of them, which cost about 0.3 us more a send here (docs/benchmarks.md).
 */
SEC("tp_btf/sock_send_length")
int BPF_PROG(tcp_send_tracepoint, struct sock *sk, int ret, int flags)
{
	if (STOP_AFTER == STAGE_ATTACH || ret <= 0 || sk->sk_protocol != IPPROTO_TCP ||
	    !is_target(bpf_get_current_pid_tgid() >> 32))
		return 0;
	if (STOP_AFTER == STAGE_ALL)
		emit(EVENT_TCP_SEND, ret, -1, 0);
	return 0;
}

/*
 * --tree: the children the targets start are targets from their first instruction, before
 * user space finds them in /proc (it follows them from there, with their uprobes). A thread
 * (same tgid) is a target already. With these programs the observer never uses
 * single_target: the map may gain a process at any fork.
 */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(follow_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 tgid = child->tgid;
	__u8 followed = 1;

	if (tgid == child->pid && is_target(parent->tgid))
		bpf_map_update_elem(&targets, &tgid, &followed, BPF_ANY);
	return 0;
}

/* The last thread of a target exits: its pid leaves the map before another process gets it. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(forget_exit, struct task_struct *task)
{
	__u32 tgid = task->tgid;

	if (task->signal->live.counter == 0)
		bpf_map_delete_elem(&targets, &tgid);
	return 0;
}

/* void app_write(uint64_t bytes): attached to the target's pid only. libbpf 1.1 has no
 * BPF_UPROBE; BPF_KPROBE reads the same argument registers. */
SEC("uprobe")
int BPF_KPROBE(app_write_uprobe, __u64 bytes)
{
	if (STOP_AFTER == STAGE_ALL)
		emit(EVENT_UPROBE, marker_go_abi ? PT_REGS_RC(ctx) : bytes, -1, 0);
	return 0;
}
