import { parseExposition, type Sample } from './prometheus-text.js';

function hasLabels(sample: Sample, where: Readonly<Record<string, string>>): boolean {
  return Object.entries(where).every(([name, value]) => sample.labels[name] === value);
}

/**
 * The sum of every sample of `metric` in a Prometheus text exposition whose labels include
 * `where`; 0 when there is none.
 */
export function sumOf(
  exposition: string,
  metric: string,
  where: Readonly<Record<string, string>> = {},
): number {
  return parseExposition(exposition)
    .filter((sample) => sample.name === metric && hasLabels(sample, where))
    .reduce((sum, sample) => sum + sample.value, 0);
}

/**
 * The value of one series, written as the exposition writes it (`name{a="b",c="d"}`, its
 * labels in any order): the sample with exactly that name and those labels, 0 when absent.
 */
export function seriesValue(exposition: string, series: string): number {
  const [wanted] = parseExposition(`${series} 0`);
  if (wanted === undefined) throw new Error(`not a series: ${series}`);
  const labelCount = Object.keys(wanted.labels).length;
  const found = parseExposition(exposition).find(
    (sample) =>
      sample.name === wanted.name &&
      Object.keys(sample.labels).length === labelCount &&
      hasLabels(sample, wanted.labels),
  );
  return found?.value ?? 0;
}

/**
 * The q-quantile of a histogram's observations, interpolated linearly within the bucket it
 * falls in, as PromQL's histogram_quantile does; the series whose labels include `where` are
 * added up bucket by bucket. In the +Inf bucket: the highest finite bound. NaN when the
 * histogram is absent.
 */
export function histogramQuantile(
  exposition: string,
  histogram: string,
  q: number,
  where: Readonly<Record<string, string>> = {},
): number {
  const byBound = new Map<number, number>();
  for (const sample of parseExposition(exposition)) {
    const bound = sample.labels.le;
    if (sample.name !== `${histogram}_bucket` || bound === undefined || !hasLabels(sample, where)) {
      continue;
    }
    const le = bound === '+Inf' ? Infinity : Number(bound);
    byBound.set(le, (byBound.get(le) ?? 0) + sample.value);
  }
  const buckets = [...byBound].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
  const rank = q * (buckets.at(-1)?.count ?? 0);
  let previous = { le: 0, count: 0 };
  for (const bucket of buckets) {
    if (bucket.count >= rank) {
      if (!Number.isFinite(bucket.le)) return previous.le;
      const within = (rank - previous.count) / (bucket.count - previous.count || 1);
      return previous.le + (bucket.le - previous.le) * within;
    }
    previous = bucket;
  }
  return NaN;
}
