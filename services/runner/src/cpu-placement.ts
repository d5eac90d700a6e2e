import { pin, planCpus, type CpuPlan } from '@obscost/measure';
import { RunError } from './errors.js';
import type { RunSettings } from './settings.js';
import type { StatusLine } from './status-line.js';

/** The app's CPUs and everyone else's, from the flags; a plan that cannot be is RUN_USAGE. */
export function cpuPlan(settings: RunSettings, machineCpus: number): CpuPlan {
  try {
    return planCpus(machineCpus, settings.appCpus, settings.otherCpus);
  } catch (err) {
    throw new RunError('RUN_USAGE', `--app-cpus/--other-cpus: ${(err as Error).message}`);
  }
}

/**
 * Says where the app and the rest will run, and moves the runner to the rest's CPUs. Returns
 * the report's warning when there is nothing to move it away from: one CPU for everything.
 */
export async function placeRunner(cpus: CpuPlan, status: StatusLine): Promise<string[]> {
  const warnings: string[] = [];
  if (cpus.app.length === 0) {
    warnings.push('one CPU: the app shares it with the load generator and every other process');
  } else {
    status.print(
      `obscost: the app on CPU ${cpus.app.join(',')}; the load generator and the rest on CPU ${cpus.other.join(',')}`,
    );
  }
  // Everything the runner starts inherits its CPUs: only the app is moved to its own.
  await pin(process.pid, cpus.other);
  return warnings;
}
