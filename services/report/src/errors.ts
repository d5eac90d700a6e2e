import { errorClass, failure, usage } from '@obscost/errors';

/**
 * The errors of `npm run report`, which reads what the comparison wrote, and of anything that
 * reads a report through this package (docs/infrastructure.md, "Main job errors").
 */
export const ERRORS = {
  REPORT_INVALID: failure('a report that cannot be read or does not match report.schema.json'),
  REPORT_USAGE: usage('bad arguments to npm run report'),
} as const;

export type ReportErrorCode = keyof typeof ERRORS;

export class ReportError extends errorClass('ReportError', ERRORS) {}
