export {
  APP_MAIN,
  BENCH_CLI,
  RUNNER_MAIN,
  ROOT,
  startApp,
  startService,
  waitFor,
  type RunningApp,
  type Service,
} from './processes.js';
