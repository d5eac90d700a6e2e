import type { CpuPlan } from '@obscost/measure';
import type { ForeignShare, RoundResult } from '@obscost/report';

/** How often a spoiled run is run again in one round before its figures are kept anyway. */
export const MAX_RERUNS = 2;

/**
 * The foreign load of a run as a share of the app's CPUs (of all CPUs when nothing is
 * pinned): what ran there that was not the run's own, as a part of the time it had.
 */
export function foreignShareOf(foreign: ForeignShare, cpus: CpuPlan, machineCpus: number): number {
  if (cpus.app.length === 0) return foreign.other_cpus / Math.max(1, machineCpus);
  return foreign.app_cpus / cpus.app.length;
}

/**
 * Why a round's figures are set aside, or undefined when they stand: the foreign load of its
 * closed or open run above `maxForeign`.
 */
export function spoiled(
  result: Pick<RoundResult, 'foreign'>,
  cpus: CpuPlan,
  machineCpus: number,
  maxForeign: number,
): { foreign: number; reason: string } | undefined {
  const closed = foreignShareOf(result.foreign.closed, cpus, machineCpus);
  const open = foreignShareOf(result.foreign.open, cpus, machineCpus);
  const foreign = Math.max(closed, open);
  if (foreign <= maxForeign) return undefined;
  const run = closed >= open ? 'closed' : 'open';
  return {
    foreign,
    reason:
      `foreign load ${foreign.toFixed(3)} of the app's CPUs in the ${run} run, ` +
      `above --max-foreign ${maxForeign}`,
  };
}
