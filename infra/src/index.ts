export {
  collectorBinary,
  composeCheckBinary,
  kafkaLibs,
  renderTemplate,
  testPython,
} from './artifacts.js';
export { collectorEnv } from './collector.js';
export { loadInfraConfig, InfraConfigError, ROOT, type InfraConfig } from './config.js';
export { createTopics, HEALTH_TOPIC, kafkaClient, roundTrip } from './kafka.js';
export { listening, poll } from './managed-process.js';
export { renderPrometheusConfig } from './prometheus.js';
export { COMPONENTS, down, status, up, type ComponentStatus } from './stack.js';
