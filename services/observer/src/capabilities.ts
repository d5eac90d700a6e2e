import { readFileSync } from 'node:fs';
import { release } from 'node:os';

/* include/uapi/linux/capability.h */
const CAP_SYS_ADMIN = 21;
const CAP_PERFMON = 38;
const CAP_BPF = 39;

function effective(status: string): bigint {
  const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? '0';
  return BigInt(`0x${hex}`);
}

/** What the observer does that needs more than CAP_BPF and CAP_PERFMON. */
export interface AdminUses {
  /** The kernel's BPF run-time statistics (`bpf_enable_stats`). */
  readonly bpfStats: boolean;
  /** The uprobe, on a kernel known to ask CAP_SYS_ADMIN for it (uprobeNeedsAdmin). */
  readonly uprobe: boolean;
}

/**
 * Why perf refused a uprobe: it asks CAP_SYS_ADMIN for uprobes since Linux 6.16, and a
 * kernel.perf_event_paranoid above 2 (Debian's default is 3) restricts every perf event.
 */
export function uprobeRefusalReason(
  paranoid = readFileSync('/proc/sys/kernel/perf_event_paranoid', 'utf8'),
): string {
  const rule =
    'perf asks CAP_SYS_ADMIN for uprobes since Linux 6.16 (commit ba677dbe77af), and so do the stable kernels that took it (from July 2025)';
  const level = Number(paranoid.trim());
  return level > 2
    ? `${rule}; kernel.perf_event_paranoid is ${level}, above 2, which restricts every perf event`
    : rule;
}

/**
 * Whether this kernel is known to ask CAP_SYS_ADMIN for a uprobe: 6.16 and later. An older
 * release may ask it too, if its stable branch took the commit after it (the kernel matrix
 * found 6.1.192 and 6.12.118 do, 5.10.223 does not): there the attach says so when refused.
 */
export function uprobeNeedsAdmin(kernelRelease = release()): boolean {
  const [major = 0, minor = 0] = kernelRelease.split('.').map((part) => parseInt(part, 10));
  return major > 6 || (major === 6 && minor >= 16);
}

/**
 * The capabilities the observer lacks, by name: loading tracing programs and attaching
 * tracepoints needs CAP_BPF and CAP_PERFMON (the kernel takes CAP_SYS_ADMIN for either),
 * and the `uses` CAP_SYS_ADMIN itself.
 */
export function missingCapabilities(
  uses: AdminUses,
  status = readFileSync('/proc/self/status', 'utf8'),
): string[] {
  const caps = effective(status);
  const has = (cap: number): boolean => (caps & (1n << BigInt(cap))) !== 0n;
  if (has(CAP_SYS_ADMIN)) return [];
  const missing: string[] = [];
  if (!has(CAP_BPF)) missing.push('CAP_BPF');
  if (!has(CAP_PERFMON)) missing.push('CAP_PERFMON');
  if (uses.bpfStats || uses.uprobe) missing.push('CAP_SYS_ADMIN');
  return missing;
}
