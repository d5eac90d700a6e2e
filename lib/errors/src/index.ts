export { codedCause } from './cause-chain.js';
export {
  CodedError,
  errorClass,
  EXIT,
  failure,
  usage,
  type Catalogue,
  type ErrorSpec,
} from './coded-error.js';
export { documentedErrors, exitCodes } from './documented-errors.js';
export { describeFailure, reportFailure } from './report-failure.js';
export { isRetriable, kafkaRefusal, permanentCause } from './retry.js';
export { runMain } from './run-main.js';
export { onShutdown, SHUTDOWN_SIGNALS, type ShutdownOptions } from './shutdown.js';
