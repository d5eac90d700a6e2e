/**
 * The words the settings, the preflight and the loader share about probes: a leaf that
 * imports nothing, so none of them imports another for a name.
 */

/** Where tracefs is mounted: tracepoints attach through it, kprobe_events tells of kprobes. */
export const TRACEFS = '/sys/kernel/tracing';

/** The programs of bpf/observer.bpf.c, by their C names. */
export const PROGRAMS = {
  writeExit: 'write_exit',
  writevExit: 'writev_exit',
  writeFexit: 'write_fexit',
  writevFexit: 'writev_fexit',
  tcpKprobe: 'tcp_send_kprobe',
  tcpTracepoint: 'tcp_send_tracepoint',
  uprobe: 'app_write_uprobe',
  followFork: 'follow_fork',
  forgetExit: 'forget_exit',
} as const;

/** What --probes chooses from: each a family of events (EVENT_METRICS) and its programs. */
export const PROBES = ['write', 'tcp', 'uprobe'] as const;
export type Probe = (typeof PROBES)[number];

/** What --tcp-probe chooses from: auto takes the kprobe where the kernel has kprobes. */
export const TCP_PROBES = ['auto', 'kprobe', 'tracepoint'] as const;
export type TcpProbe = (typeof TCP_PROBES)[number];

/** The TCP send probe attached, as the metrics' `probe` label names it. */
export const TCP_PROBE_MODES = {
  kprobe: 'kprobe/tcp_sendmsg',
  tracepoint: 'tp_btf/sock_send_length',
} as const;
export type TcpProbeMode = (typeof TCP_PROBE_MODES)[keyof typeof TCP_PROBE_MODES];

/** What --write-probe chooses from: auto takes fexit where the kernel lets it attach. */
export const WRITE_PROBES = ['auto', 'fexit', 'tracepoint'] as const;
export type WriteProbe = (typeof WRITE_PROBES)[number];

/** The write probes attached, as observer_probe_info's `mode` label names them. */
export const WRITE_PROBE_MODES = {
  fexit: 'fexit/ksys_write',
  tracepoint: 'tracepoint/syscalls/sys_exit_write',
} as const;
export type WriteProbeMode = (typeof WRITE_PROBE_MODES)[keyof typeof WRITE_PROBE_MODES];

/** ring: every event to user space (and Kafka); count: counted in the kernel, nothing sent. */
export const MODES = ['ring', 'count'] as const;
export type ObserverMode = (typeof MODES)[number];

/** The marker's calling conventions: C's, or Go's register ABI (its argument elsewhere). */
export const UPROBE_ABIS = ['c', 'go'] as const;
export type UprobeAbi = (typeof UPROBE_ABIS)[number];
