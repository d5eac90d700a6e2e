import {
  foreignLoad,
  mean,
  sampleVariance,
  squaredDeviations,
  type CpuBusySnapshot,
} from '@obscost/measure';

/**
 * bench:noise's arithmetic, apart from its processes so that it can be tested: the windows of
 * an open run, and the spreads that tell fresh apps' differences from the machine's drift.
 * Field names are those --json prints.
 */

/** A window whose foreign load on the app's CPU reaches this (in CPUs) is reported apart. */
export const FOREIGN_LIMIT = 0.05;

/** The app's CPU and the machine's CPUs at one moment of an open run. */
export interface NoiseMark {
  busy: CpuBusySnapshot;
  /** The app's CPU time so far, in ns. */
  appNs: number;
}

/** One window of an open run. */
export interface NoiseWindow {
  /** The app's CPU in the window over the requests due in it, in µs. */
  cpu_us_per_request: number;
  /** What else ran on the app's CPUs, in CPUs (0.05: 5% of one CPU). */
  foreign_cpus: number;
}

/** One fresh app's open run. */
export interface AppRun {
  /** The app's CPU over the whole run over the requests the bench completed, in µs. */
  cpu_us_per_request: number;
  foreign_cpus: number;
  windows: NoiseWindow[];
}

/** Mean and sample standard deviation; null where the values are too few to give one. */
export interface Spread {
  count: number;
  mean: number | null;
  sd: number | null;
  /** The SD as a percentage of the mean. */
  sd_percent: number | null;
}

/** What a variant's apps say: their spread, their windows', and the windows left apart. */
export interface VariantSummary {
  /** The apps' whole-run CPU a request. */
  apps: Spread;
  /** The windows under FOREIGN_LIMIT, each against its own app's mean. */
  windows: {
    count: number;
    /** The pooled within-app SD as a percentage of the windows' mean. */
    sd_percent: number | null;
    /** What the windows' drift alone would spread a whole run by: sd_percent / √(windows a run). */
    predicted_run_sd_percent: number | null;
  };
  /** The windows at or above FOREIGN_LIMIT, which enter none of the above. */
  foreign_windows: { count: number; mean_cpu_us_per_request: number | null };
  /** How far apart adjacent stretches of a run are, by their length. */
  time_scales: TimeScale[];
}

/**
 * How much two adjacent stretches of `windows` windows of one app's run differ: what a
 * reference measured right before or after a run of that length is worth, and whether a
 * longer run averages the noise away (it would, as 1/√windows, were the windows independent).
 */
export interface TimeScale {
  windows: number;
  /** Pairs of adjacent stretches, every app's, neither holding a foreign window. */
  pairs: number;
  /** The SD of the pairs' log ratios, as a percentage: their typical relative difference. */
  sd_percent: number | null;
  /** What independent windows would give: the one-window figure over √windows. */
  independent_percent: number | null;
}

const sum = (values: readonly number[]): number => values.reduce((total, v) => total + v, 0);

const meanOf = (values: readonly number[]): number | null =>
  values.length === 0 ? null : mean(values);

export function spreadOf(values: readonly number[]): Spread {
  const centre = meanOf(values);
  if (centre === null || values.length < 2) {
    return { count: values.length, mean: centre, sd: null, sd_percent: null };
  }
  const sd = Math.sqrt(sampleVariance(values));
  return { count: values.length, mean: centre, sd, sd_percent: (100 * sd) / centre };
}

/**
 * The standard deviation within groups, pooled: each value against its own group's mean,
 * over the degrees of freedom left (n - 1 a group), as a percentage of the mean of every
 * value. What differs between the groups' means is not in it. Null without two values in
 * one group.
 */
export function pooledSdPercent(groups: readonly (readonly number[])[]): number | null {
  const freedom = sum(groups.map((g) => Math.max(0, g.length - 1)));
  const centre = meanOf(groups.flat());
  if (freedom === 0 || centre === null) return null;
  return (100 * Math.sqrt(sum(groups.map(squaredDeviations)) / freedom)) / centre;
}

/**
 * The windows between successive marks at `rate` req/s, the first left out: it holds the
 * bench's start-up, before its first request was due. The open model sends on schedule, so
 * the requests due in a window are the rate times its length.
 */
export function windowsOf(
  marks: readonly NoiseMark[],
  rate: number,
  appCpus: readonly number[],
): NoiseWindow[] {
  const windows: NoiseWindow[] = [];
  for (let i = 2; i < marks.length; i++) {
    const before = marks[i - 1];
    const after = marks[i];
    if (before === undefined || after === undefined) continue;
    const appNs = after.appNs - before.appNs;
    const load = foreignLoad(before.busy, after.busy, { app: [...appCpus], other: [] }, [
      { side: 'app', ns: appNs },
    ]);
    const due = rate * load.seconds;
    windows.push({ cpu_us_per_request: appNs / 1e3 / due, foreign_cpus: load.app.foreignCpus });
  }
  return windows;
}

/** The log ratios of each app's adjacent quiet stretches of `length` windows. */
function adjacentLogRatios(apps: readonly AppRun[], length: number): number[] {
  return apps.flatMap((app) => {
    const stretches: (number | undefined)[] = [];
    for (let start = 0; start + length <= app.windows.length; start += length) {
      const stretch = app.windows.slice(start, start + length);
      const quiet = stretch.every((w) => w.foreign_cpus < FOREIGN_LIMIT);
      stretches.push(quiet ? mean(stretch.map((w) => w.cpu_us_per_request)) : undefined);
    }
    return stretches.flatMap((before, i) => {
      const after = stretches[i + 1];
      return before === undefined || after === undefined ? [] : [Math.log(after / before)];
    });
  });
}

/**
 * The time scales of the apps' noise: adjacent stretches of 1, 2, 4... windows, as long as
 * the longest run holds two of them.
 */
export function timeScales(apps: readonly AppRun[]): TimeScale[] {
  const longest = Math.max(0, ...apps.map((app) => app.windows.length));
  const scales: TimeScale[] = [];
  let single: number | null = null;
  for (let length = 1; 2 * length <= longest; length *= 2) {
    const ratios = adjacentLogRatios(apps, length);
    const sdPercent = ratios.length < 2 ? null : 100 * Math.sqrt(sampleVariance(ratios));
    if (length === 1) single = sdPercent;
    scales.push({
      windows: length,
      pairs: ratios.length,
      sd_percent: sdPercent,
      independent_percent: single === null ? null : single / Math.sqrt(length),
    });
  }
  return scales;
}

/**
 * A variant's summary: the apps' spread, the windows' (those under FOREIGN_LIMIT), and what
 * the windows predict for a whole run of `runWindows` windows if time alone moved it: if the
 * apps spread more than that, fresh apps differ by more than the machine drifts.
 */
export function summarize(apps: readonly AppRun[], runWindows: number): VariantSummary {
  const quiet = apps.map((app) =>
    app.windows.filter((w) => w.foreign_cpus < FOREIGN_LIMIT).map((w) => w.cpu_us_per_request),
  );
  const foreign = apps
    .flatMap((app) => app.windows)
    .filter((w) => w.foreign_cpus >= FOREIGN_LIMIT)
    .map((w) => w.cpu_us_per_request);
  const sdPercent = pooledSdPercent(quiet);
  return {
    apps: spreadOf(apps.map((app) => app.cpu_us_per_request)),
    windows: {
      count: quiet.flat().length,
      sd_percent: sdPercent,
      predicted_run_sd_percent: sdPercent === null ? null : sdPercent / Math.sqrt(runWindows),
    },
    foreign_windows: { count: foreign.length, mean_cpu_us_per_request: meanOf(foreign) },
    time_scales: timeScales(apps),
  };
}
