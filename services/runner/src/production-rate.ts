import { median } from '@obscost/measure';
import type { AtProductionRate, Interval, RoundResult } from '@obscost/report';
import type { RoundFigure } from './left-out.js';
import { pairedRounds, ratioOf, type IntervalSettings } from './overhead.js';

/**
 * The components that would run off the service's host in production: the pipeline an
 * approach streams to. Every other component (the app, the observer, bpftrace, the
 * Collector tailing a log) runs beside the service.
 */
export const PIPELINE_COMPONENTS: readonly string[] = ['aggregator', 'kafka'];

const componentsOf = (round: RoundResult): [string, number][] =>
  Object.entries(round.components_us_per_request ?? {});

/** The sum of a round's components' µs a request that `keep` keeps. */
function sumOf(round: RoundResult, keep: (component: string) => boolean): number {
  return componentsOf(round).reduce((sum, [name, us]) => (keep(name) ? sum + us : sum), 0);
}

const onPipeline = (component: string): boolean => PIPELINE_COMPONENTS.includes(component);
const baselineApp = (round: RoundResult): number => round.cost_us_per_request.app;

/** What runs on the service's host, µs a request, against the baseline app's. */
const HOST: RoundFigure = {
  name: 'host',
  of: (round) => sumOf(round, (c) => !onPipeline(c)),
  referenceOf: baselineApp,
};

/** What runs in the pipeline, µs a request, against the baseline app's. */
const PIPELINE: RoundFigure = {
  name: 'pipeline',
  of: (round) => sumOf(round, onPipeline),
  referenceOf: baselineApp,
};

/** `ratio`'s estimate and ends, less `minus`, times `scale`; the ends stay null without them. */
function scaled(ratio: Interval, minus: number, scale: number): Interval {
  const at = (value: number | null) => (value === null ? null : (value - minus) * scale);
  return {
    ...ratio,
    estimate: at(ratio.estimate) ?? 0,
    ci_low: at(ratio.ci_low),
    ci_high: at(ratio.ci_high),
  };
}

/**
 * A scenario's cost at `rate` req/s in CPU cores: on the service's host, what it adds to the
 * baseline app (its host µs a request over the same round's baseline app's, less 1); in the
 * pipeline, all it spends there (over the baseline app's too). Each ratio's interval is the
 * headline's (docs/statistics.md), scaled by the baseline app's median µs a request and the
 * rate: the baseline's own spread is in the ratio, its level is taken as the median's.
 * Undefined where no round has the components or its baseline.
 */
export function atProductionRate(
  rounds: readonly RoundResult[],
  baselines: ReadonlyMap<number, RoundResult>,
  rate: number,
  settings: IntervalSettings,
): AtProductionRate | undefined {
  const pairs = pairedRounds(rounds, baselines);
  const host = ratioOf(pairs, HOST, settings);
  if (host === undefined || pairs.length === 0) return undefined;
  const baselineUs = median(pairs.map(([, baseline]) => baselineApp(baseline)));
  const coresPerRatio = (baselineUs * rate) / 1e6;
  const pipeline = ratioOf(pairs, PIPELINE, settings);
  return {
    host_cores: scaled(host, 1, coresPerRatio),
    ...(pipeline === undefined ? {} : { pipeline_cores: scaled(pipeline, 0, coresPerRatio) }),
  };
}
