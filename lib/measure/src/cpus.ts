import { availableParallelism } from 'node:os';
import { runToEnd } from '@obscost/process';

/** Which CPUs run the app and which run everything else. Both empty: nothing is pinned. */
export interface CpuPlan {
  app: number[];
  other: number[];
}

/**
 * The app on its own CPU, everything else on the rest, so the load generator and the
 * observability machinery do not take the app's CPU: by default the last CPU for the app.
 * One CPU cannot be split: nothing is pinned, and the caller says so.
 */
export function planCpus(
  cpus = availableParallelism(),
  app?: readonly number[],
  other?: readonly number[],
): CpuPlan {
  const all = Array.from({ length: cpus }, (_, i) => i);
  for (const cpu of [...(app ?? []), ...(other ?? [])]) {
    if (cpu >= cpus) throw new RangeError(`CPU ${cpu} is not one of this machine's 0-${cpus - 1}`);
  }
  if (app === undefined && other === undefined && cpus < 2) return { app: [], other: [] };
  const appCpus = app ?? (other === undefined ? [cpus - 1] : all.filter((c) => !other.includes(c)));
  const otherCpus = other ?? all.filter((c) => !appCpus.includes(c));
  if (appCpus.length === 0 || otherCpus.length === 0) {
    throw new RangeError('the app and the rest each need at least one CPU');
  }
  // A CPU on both sides would make the foreign load of either side meaningless.
  const shared = appCpus.filter((c) => otherCpus.includes(c));
  if (shared.length > 0) {
    throw new RangeError(`CPU ${shared.join(',')} cannot be both the app's and the rest's`);
  }
  return { app: [...appCpus], other: [...otherCpus] };
}

/** Pins every thread of `pid` to `cpus` (taskset -a: threads started later inherit it). */
export async function pin(pid: number, cpus: readonly number[]): Promise<void> {
  if (cpus.length === 0) return;
  const args = ['-a', '-p', '-c', cpus.join(','), String(pid)];
  const { code, stderr } = await runToEnd('taskset', args, { timeoutMs: 10_000 });
  if (code !== 0)
    throw new Error(`taskset ${args.join(' ')} exited with ${code}: ${stderr.trim()}`);
}
