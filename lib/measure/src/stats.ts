/** The median of a non-empty list; the mean of the middle two for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? NaN) + upper) / 2;
}

/** The mean of a non-empty list. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('mean of no values');
  return values.reduce((total, v) => total + v, 0) / values.length;
}

/** The sum of squared deviations from the values' own mean; 0 for no values. */
export function squaredDeviations(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const centre = mean(values);
  return values.reduce((total, v) => total + (v - centre) ** 2, 0);
}

/** The sample variance (over n - 1) of two values or more. */
export function sampleVariance(values: readonly number[]): number {
  if (values.length < 2) throw new RangeError('a variance needs at least two values');
  return squaredDeviations(values) / (values.length - 1);
}
