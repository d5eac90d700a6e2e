import { errorClass, failure, usage } from '@obscost/errors';

/**
 * The main job's errors, and those of `npm run report` that reads what it wrote
 * (docs/infrastructure.md, "Main job errors"). A failed scenario is not one: the job runs the
 * next and exits 1 at the end, as a return code.
 */
export const ERRORS = {
  RUN_USAGE: usage('bad command-line flags'),
  REPORT_INVALID: failure('a report that cannot be read or does not match report.schema.json'),
  REPORT_USAGE: usage('bad arguments to npm run report'),
} as const;

export type RunErrorCode = keyof typeof ERRORS;

export class RunError extends errorClass('RunError', ERRORS) {}
