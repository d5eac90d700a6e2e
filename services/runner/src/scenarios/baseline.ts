import { nothing, type Scenario } from './scenario.js';

export const baseline: Scenario = {
  name: 'baseline',
  description: 'the app alone, with its own Prometheus metrics',
  loadsBpf: false,
  unavailable: () => undefined,
  observe: () => Promise.resolve(nothing()),
};
