export { runRound, type RoundSettings } from './comparison.js';
export { Infrastructure, type StartedCollector } from './infrastructure.js';
export {
  baseline,
  observerAlone,
  type ObserverAloneOptions,
  type Observation,
  type Scenario,
} from './scenarios.js';
