export { parseCommand, UsageError, type Command, type LoadOptions } from './args.js';
export { compareFigures, formatComparison, parseFigures, type ComparedFigure } from './compare.js';
export { formatDuration, parseDuration } from './duration.js';
export { LatencyRecorder, type LatencySummary } from './latency.js';
export { checkReachable, runLoad, type LoadResult, type Progress } from './load.js';
export { ProgressLine } from './progress.js';
export { failureOf, formatSummary } from './summary.js';
export { median } from './stats.js';
