import { existsSync, readFileSync } from 'node:fs';
import { missingCapabilities, uprobeNeedsAdmin } from './capabilities.js';
import { ObserverError } from './errors.js';
import { TRACEFS, type Probe } from './probe-vocabulary.js';

export interface PreflightOptions {
  readonly btfPath: string;
  readonly bpfStats: boolean;
  readonly probes: readonly Probe[];
}

export interface SystemFacts {
  /** /proc/self/status. */
  readonly status: string;
  /** The kernel's release, as uname -r says it. */
  readonly kernelRelease?: string;
}

/** Why CAP_SYS_ADMIN is asked, and the flags that do without it. */
function adminReason({ bpfStats, probes }: PreflightOptions): string {
  const uprobe = probes.includes('uprobe');
  const others = probes.filter((probe) => probe !== 'uprobe');
  const withoutUprobe = `--probes ${(others.length > 0 ? others : ['write', 'tcp']).join(',')}`;
  const uses = [...(uprobe ? ['the uprobe'] : []), ...(bpfStats ? ['the BPF statistics'] : [])];
  const off = [...(uprobe ? [withoutUprobe] : []), ...(bpfStats ? ['--bpf-stats off'] : [])];
  return `; CAP_SYS_ADMIN is for ${uses.join(' and ')}: with ${off.join(' ')} CAP_BPF and CAP_PERFMON suffice`;
}

/**
 * What the system must offer before anything is loaded, each refused with the error that
 * says how to get it: the capabilities (CAP_SYS_ADMIN only for the BPF run-time statistics,
 * and for the uprobe on a kernel known to ask it), tracefs (tracepoints attach through it)
 * and the kernel's BTF (CO-RE relocations read it). Tests give the system's facts.
 */
export function preflight(
  options: PreflightOptions,
  { status, kernelRelease }: SystemFacts = { status: readFileSync('/proc/self/status', 'utf8') },
): void {
  const { bpfStats, probes } = options;
  const uprobe = probes.includes('uprobe') && uprobeNeedsAdmin(kernelRelease);
  const missing = missingCapabilities({ bpfStats, uprobe }, status);
  if (missing.length > 0) {
    const admin = missing.includes('CAP_SYS_ADMIN') ? adminReason(options) : '';
    throw new ObserverError(
      'OBS_MISSING_CAPABILITIES',
      `missing capabilities: ${missing.join(', ')} (run as root, or grant them${admin})`,
    );
  }
  if (!existsSync(`${TRACEFS}/events/syscalls`)) {
    throw new ObserverError(
      'OBS_TRACEFS',
      `tracefs is not mounted at ${TRACEFS}: mount -t tracefs nodev ${TRACEFS} (npm run setup does)`,
    );
  }
  const { btfPath } = options;
  if (!existsSync(btfPath)) {
    throw new ObserverError(
      'OBS_NO_BTF',
      `no kernel BTF at ${btfPath}: CO-RE needs a kernel built with CONFIG_DEBUG_INFO_BTF`,
    );
  }
}
