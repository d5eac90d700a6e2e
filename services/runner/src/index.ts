export {
  APP_MAIN,
  BENCH_CLI,
  OBSERVER_MAIN,
  RUNNER_MAIN,
  ROOT,
  startApp,
  startObserver,
  startService,
  waitFor,
  type RunningApp,
  type RunningObserver,
  type Service,
} from './processes.js';
