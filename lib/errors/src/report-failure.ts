import { codedCause } from './cause-chain.js';
import { EXIT } from './coded-error.js';

/** How a failed process reports `err`: one line (without the program's name) and an exit code. */
export function describeFailure(err: unknown): { line: string; exitCode: number } {
  const coded = codedCause(err);
  const reason = coded ?? err;
  const line = (reason instanceof Error ? reason.message : String(reason)).split('\n')[0] ?? '';
  return { line, exitCode: coded?.exitCode ?? EXIT.failed };
}

/**
 * Reports a failure the shared way: `program: reason` on stderr, then any details, then the
 * usage hint when the reason is a usage error (bad flags or settings). Returns the exit code.
 */
export function reportFailure(
  program: string,
  err: unknown,
  { usageHint = 'run with --help for usage', details = '' } = {},
): number {
  const { line, exitCode } = describeFailure(err);
  process.stderr.write(`${program}: ${line}\n`);
  if (details !== '') process.stderr.write(details.endsWith('\n') ? details : `${details}\n`);
  if (codedCause(err)?.usage === true && usageHint !== '') process.stderr.write(`${usageHint}\n`);
  return exitCode;
}
