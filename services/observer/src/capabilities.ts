import { readFileSync } from 'node:fs';

/* include/uapi/linux/capability.h */
const CAP_SYS_ADMIN = 21;
const CAP_PERFMON = 38;
const CAP_BPF = 39;

function effective(status: string): bigint {
  const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? '0';
  return BigInt(`0x${hex}`);
}

/**
 * The capabilities the observer lacks, by name: loading tracing programs needs CAP_BPF
 * and CAP_PERFMON, and enabling the kernel's BPF run-time statistics CAP_SYS_ADMIN.
 */
export function missingCapabilities(status = readFileSync('/proc/self/status', 'utf8')): string[] {
  const caps = effective(status);
  const has = (cap: number): boolean => (caps & (1n << BigInt(cap))) !== 0n;
  const missing: string[] = [];
  if (!has(CAP_SYS_ADMIN)) {
    if (!has(CAP_BPF)) missing.push('CAP_BPF');
    if (!has(CAP_PERFMON)) missing.push('CAP_PERFMON');
    missing.push('CAP_SYS_ADMIN');
  }
  return missing;
}
