import { reportFailure } from './report-failure.js';

/**
 * Runs a service's main function and ends the process the shared way: its exit code, or on
 * an error the report of reportFailure and the error's exit code.
 */
export function runMain(
  program: string,
  main: () => Promise<number>,
  options: {
    /** Printed after a usage error's line; '' for none. */
    usageHint?: string;
    /** More lines about an error (a log tail), printed after its line. */
    details?: (err: unknown) => string;
  } = {},
): void {
  main().then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.exitCode = reportFailure(program, err, {
        ...(options.usageHint === undefined ? {} : { usageHint: options.usageHint }),
        details: options.details?.(err) ?? '',
      });
    },
  );
}
