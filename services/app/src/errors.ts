import { errorClass, failure, usage } from '@obscost/errors';

/** The app's errors, one code each (docs/app-and-bench.md, "App errors"). */
export const ERRORS = {
  APP_USAGE: usage('an environment variable has an invalid value'),
  APP_MARKER_LIBRARY: failure('the uprobe marker library cannot be loaded'),
  APP_LISTEN: failure('the server cannot listen on HOST:PORT'),
  APP_LOG: failure('the request log file cannot be opened for appending'),
} as const;

export type AppErrorCode = keyof typeof ERRORS;

export class AppError extends errorClass('AppError', ERRORS) {}
