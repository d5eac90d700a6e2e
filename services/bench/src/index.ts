export { compareFigures, formatComparison, parseFigures, type ComparedFigure } from './compare.js';
export { BenchError, ERRORS, type BenchErrorCode } from './errors.js';
export { LatencyRecorder, type LatencySummary, type PercentilePoint } from './latency.js';
export { runLoad, type LoadOptions, type LoadResult, type Progress } from './load.js';
export { ProgressLine } from './progress.js';
export { ResponseParser } from './response-parser.js';
export { parseCommand, SETTINGS, type Command } from './settings.js';
export { failureOf, formatSummary } from './summary.js';
export { checkReachable } from './target.js';
