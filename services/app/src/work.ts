import { performance } from 'node:perf_hooks';

export const MAX_WORK_MS = 1000;

/**
 * Reads `ms` from /work's query string: a plain decimal integer from 0 to
 * MAX_WORK_MS, written without sign, exponent, fraction or spaces. Returns the
 * number, or the reason it is refused.
 */
export function parseWorkMs(raw: unknown): number | { error: string } {
  if (raw === undefined) return { error: 'query parameter ms is required' };
  if (typeof raw !== 'string') return { error: 'query parameter ms must be given once' };
  if (!/^\d{1,4}$/.test(raw) || Number(raw) > MAX_WORK_MS) {
    return {
      error: `query parameter ms must be an integer from 0 to ${MAX_WORK_MS}, got ${JSON.stringify(raw)}`,
    };
  }
  return Number(raw);
}

/** Keeps the CPU busy for `ms`: the seed's stand-in for real request work. */
export function burnCpu(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}
