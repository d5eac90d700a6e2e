import { errorClass, usage } from '@obscost/errors';

/**
 * The main job's errors (docs/infrastructure.md, "Main job errors"; `npm run report`'s are
 * the report package's). A failed scenario is not one: the job runs the next and exits 1 at
 * the end, as a return code.
 */
export const ERRORS = {
  RUN_USAGE: usage('bad command-line flags'),
} as const;

export type RunErrorCode = keyof typeof ERRORS;

export class RunError extends errorClass('RunError', ERRORS) {}
