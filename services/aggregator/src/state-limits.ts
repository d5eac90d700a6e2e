/**
 * The most series a partition's state holds by default: 250 hosts with one process each and
 * every kind of event, whose snapshot, with realistic names, takes about 30 KB of the 32,767
 * bytes an offset commit carries. Hosts with sequence counts of their own and observer runs
 * remembered are bounded to a quarter of it. A snapshot that does not fit all the same (long,
 * random names; many restarts) halves these limits until it does (`PartitionState.shrink`).
 */
export const DEFAULT_MAX_SERIES = 1500;
/** The limits go no lower than this many series. */
export const MIN_SERIES = 16;
/** Host and process of the series that take the events of new series past the limit. */
export const OVERFLOW = '_overflow';

/** Hosts with sequence counts of their own, and observer runs remembered, for a series limit. */
export const quarterOf = (maxSeries: number): number => Math.ceil(maxSeries / 4);

/** Sorts `_overflow`'s entry first, so that what a shrink folds finds it. */
export const overflowFirst = <T>([a]: [string, T], [b]: [string, T]): number =>
  Number(b === OVERFLOW) - Number(a === OVERFLOW);
