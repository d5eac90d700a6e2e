// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A BPF object the verifier must refuse, for the observer's error test: it has the maps
 * and program names the observer looks for, and a write_exit that reads through a
 * pointer it never checked.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_exit_write")
int write_exit(struct trace_event_raw_sys_exit *ctx)
{
	return *(int *)ctx->ret;
}

SEC("kprobe/tcp_sendmsg")
int BPF_KPROBE(tcp_send_kprobe)
{
	return 0;
}

SEC("tracepoint/sock/sock_send_length")
int tcp_send_tracepoint(void *ctx)
{
	return 0;
}
