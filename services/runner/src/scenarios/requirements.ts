import { missingCapabilities } from '@obscost/observer/capabilities';
import { which } from '@obscost/process';

/** What a scenario needs of the machine: a command on the PATH, the right to load BPF. */

export function hasCommand(command: string): boolean {
  return which(command) !== undefined;
}

/**
 * Why BPF programs cannot be loaded and measured here: both eBPF scenarios attach tracepoints
 * (CAP_BPF, CAP_PERFMON) and a uprobe or the run-time statistics (CAP_SYS_ADMIN).
 */
export function needsRoot(): string | undefined {
  const missing = missingCapabilities({ bpfStats: true, uprobe: true });
  return missing.length === 0
    ? undefined
    : `loading BPF programs needs ${missing.join(', ')}: run as root`;
}
