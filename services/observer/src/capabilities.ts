import { readFileSync } from 'node:fs';

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
  /**
   * The uprobe: perf's uprobe PMU asks CAP_SYS_ADMIN again since Linux 6.16 (commit
   * ba677dbe77af, "perf: Revert to requiring CAP_SYS_ADMIN for uprobes", also in the
   * stable kernels since July 2025): CAP_PERFMON no longer suffices.
   */
  readonly uprobe: boolean;
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
