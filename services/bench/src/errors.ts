import { EXIT, errorClass, failure, usage } from '@obscost/errors';

/** The bench's errors, one code each (docs/app-and-bench.md, "Bench errors"). */
export const ERRORS = {
  BENCH_USAGE: usage('bad command-line flags or arguments'),
  BENCH_COMPARE_INPUT: failure('a file given to `bench compare` is unreadable or no bench output', {
    exitCode: EXIT.usage,
  }),
  BENCH_UNREACHABLE: failure('the target cannot be reached before the run starts'),
  BENCH_RUN_FAILED: failure('no successful response, or no connection for a whole timeout'),
  BENCH_MALFORMED_RESPONSE: failure('a response is not valid HTTP/1.1 (counted as a read error)'),
} as const;

export type BenchErrorCode = keyof typeof ERRORS;

export class BenchError extends errorClass('BenchError', ERRORS) {}
