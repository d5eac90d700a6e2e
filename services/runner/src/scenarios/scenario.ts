import type { RunningApp } from '@obscost/infra';
import type { ScenarioName } from '@obscost/report';
import type { Counts } from '../accuracy.js';
import type { Infrastructure } from '../infrastructure.js';
import type { ServiceSpec } from '../service-settings.js';

/** One scenario's observability around one fresh app. */
export interface Observation {
  /** Added to the app's environment when it starts. */
  readonly appEnv: NodeJS.ProcessEnv;
  /** Starts what follows the running app (probes, tracers). */
  attach(app: RunningApp): Promise<void>;
  /** The processes it started, by name, to measure. */
  processes(): Record<string, number>;
  /** The processes holding its BPF programs, by name. */
  bpfOwners(): Record<string, number>;
  /** What each of its approaches counted so far, without a request to the app. */
  count(): Promise<Counts>;
  stop(): Promise<void>;
}

/** One way of observing the app; benchmarks name scenarios of their own (N). */
export interface Scenario<N extends string = ScenarioName> {
  readonly name: N;
  /** What it adds to the app, one line. */
  readonly description: string;
  /** Whether it loads BPF programs, whose run time the kernel's statistics then report. */
  readonly loadsBpf: boolean;
  /**
   * Why it cannot run here, or on the named `service`, or undefined when it can (without a
   * service, on the project's app).
   */
  unavailable(infra: Infrastructure, service?: ServiceSpec): string | undefined;
  /**
   * Starts the observation of one run, of the named `service` or of the project's app; `run`
   * is the run's number, unique in the comparison (a run set aside and run again gets a new
   * one), for the files and topics it names.
   */
  observe(infra: Infrastructure, run: number, service?: ServiceSpec): Promise<Observation>;
}

/** Nothing started, nothing observed. */
export function nothing(appEnv: NodeJS.ProcessEnv = {}): Observation {
  return {
    appEnv,
    attach: () => Promise.resolve(),
    processes: () => ({}),
    bpfOwners: () => ({}),
    count: () => Promise.resolve({}),
    stop: () => Promise.resolve(),
  };
}

/** The reason a scenario gives on a named service when it measures what only our app has. */
export function onlyOurApp(service: ServiceSpec | undefined, why: string): string | undefined {
  return service === undefined ? undefined : why;
}

/** The app's pid, for a probe's filter: a child without one was never spawned. */
export function pidOf(app: RunningApp): number {
  if (app.pid === undefined) throw new Error('the app has no pid: it was never spawned');
  return app.pid;
}
