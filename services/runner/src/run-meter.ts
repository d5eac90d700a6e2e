import {
  cpuBusySnapshot,
  foreignLoad,
  openComponentCpuMeter,
  processCpuNs,
  type CpuBusySnapshot,
  type CpuMeterSource,
  type CpuPlan,
  type OwnCpu,
} from '@obscost/measure';
import type { ForeignShare } from '@obscost/report';

/** The CPU of every component and of the machine's CPUs at one moment. */
export interface Mark {
  busy: CpuBusySnapshot;
  /** Each component's CPU so far, in ns. */
  componentsNs: Record<string, number>;
  /** The runner's own CPU so far: it runs beside the others, and is no foreign load. */
  runnerNs: number;
}

/** What a run between two marks cost each component, and the foreign load over it. */
export interface Between {
  /** The app and the processes the scenario added: the load generator is not one of them. */
  componentsNs: Record<string, number>;
  foreign: ForeignShare;
}

/** The meter's name for the load generator's processes, one for each run of it. */
export const BENCH_COMPONENT = 'bench';

/**
 * The CPU of a round's components in ns (docs/measuring.md), and the foreign load of each
 * run: the app is counted on the app's CPUs, everything else on the others.
 */
export class RunMeter {
  private readonly meter = openComponentCpuMeter();

  constructor(
    private readonly cpus: CpuPlan,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  get source(): CpuMeterSource {
    return this.meter.source;
  }

  /** Counts `pid` as `component` from now on; a process that is gone is said, not fatal. */
  add(component: string, pid: number): void {
    try {
      this.meter.add(component, pid);
    } catch (err) {
      this.log(`cannot count ${component}'s CPU: ${(err as Error).message}`);
    }
  }

  mark(): Mark {
    const readings = this.meter.readAll();
    return {
      busy: cpuBusySnapshot(),
      componentsNs: Object.fromEntries(
        Object.entries(readings).map(([name, cpu]) => [name, cpu.totalNs]),
      ),
      runnerNs: processCpuNs(process.pid),
    };
  }

  /**
   * The run between two marks; `benchLoadNs` is the load generator's own CPU over its load,
   * as it reports it. Its whole life between the marks (start-up and exit too) is its own
   * time, not foreign load: the meter's figure where it kept it (a group keeps the time of a
   * process that has exited; /proc does not), its own report otherwise.
   */
  between(before: Mark, after: Mark, benchLoadNs: number): Between {
    const { [BENCH_COMPONENT]: benchMeteredNs = 0, ...componentsNs } = Object.fromEntries(
      Object.entries(after.componentsNs).map(([name, ns]) => [
        name,
        Math.max(0, ns - (before.componentsNs[name] ?? 0)),
      ]),
    );
    // Unpinned, every CPU is the other side: foreign load there is all there is.
    const pinned = this.cpus.app.length > 0;
    const sides: CpuPlan = pinned ? this.cpus : { app: [], other: [...after.busy.cpus.keys()] };
    const own: OwnCpu[] = [
      ...Object.entries(componentsNs).map(([name, ns]): OwnCpu => ({
        side: pinned && name === 'app' ? 'app' : 'other',
        ns,
      })),
      { side: 'other', ns: Math.max(benchMeteredNs, benchLoadNs) },
      { side: 'other', ns: after.runnerNs - before.runnerNs },
    ];
    const load = foreignLoad(before.busy, after.busy, sides, own);
    return {
      componentsNs,
      foreign: { app_cpus: load.app.foreignCpus, other_cpus: load.other.foreignCpus },
    };
  }

  close(): void {
    this.meter.close();
  }
}
