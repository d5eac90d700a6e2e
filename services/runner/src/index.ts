export {
  APP_MAIN,
  BENCH_CLI,
  ROOT,
  startApp,
  startService,
  waitFor,
  type RunningApp,
  type Service,
} from './processes.js';
