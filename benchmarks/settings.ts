import { errorClass, reportFailure, usage } from '@obscost/errors';
import {
  durationRule,
  integerRule,
  parseSettings,
  setting,
  usageText,
  type SettingsTable,
  type SettingValues,
} from '@obscost/flags';

/**
 * The benchmark scripts' one error of their own: bad flags. A check that fails inside a
 * benchmark (a producer that failed, a count that is off) is a plain Error, as in a test.
 */
export const ERRORS = {
  BENCHMARK_USAGE: usage('bad flags for a benchmark script'),
} as const;

export class BenchmarkError extends errorClass('BenchmarkError', ERRORS) {}

/** The flags several benchmarks share, each with the benchmark's own default. */
export const flag = {
  runs: (fallback: number) =>
    setting.integer({
      flag: 'runs',
      placeholder: 'N',
      default: String(fallback),
      min: 1,
      max: 1000,
      help: 'runs of each side, alternating; medians are reported',
    }),
  dur: (fallback: string) =>
    setting.custom({
      flag: 'dur',
      placeholder: 'D',
      default: fallback,
      help: 'load per run, a duration such as 5s',
      parse: (text, name) => durationRule(name, text),
    }),
  conns: (fallback: number) =>
    setting.integer({
      flag: 'conns',
      placeholder: 'N',
      default: String(fallback),
      min: 1,
      max: 10_000,
      help: 'connections of the load generator',
    }),
  count: (name: string, fallback: number, help: string) =>
    setting.custom({
      flag: name,
      placeholder: 'N',
      default: String(fallback),
      help,
      parse: (text, shown) => integerRule(shown, text, 1, Number.MAX_SAFE_INTEGER),
    }),
};

/**
 * Reads a benchmark's flags from its table, the way every service reads its own: --help
 * prints the table; a bad value is one line naming it and exit code 2.
 */
export function benchmarkFlags<S extends SettingsTable>(
  script: string,
  about: string,
  table: S,
): SettingValues<S> {
  let parsed;
  try {
    parsed = parseSettings(table, process.argv.slice(2), {
      usageError: (message) => new BenchmarkError('BENCHMARK_USAGE', message),
    });
  } catch (err) {
    process.exit(reportFailure(script, err));
  }
  if (parsed.help) {
    process.stdout.write(
      `${usageText(table, { usage: `npm run ${script} -- [options]`, about })}\n`,
    );
    process.exit(0);
  }
  return parsed.values;
}
