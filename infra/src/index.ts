export {
  collectorBinary,
  composeCheckBinary,
  goServiceBinary,
  grafanaCheckBinary,
  helmBinary,
  helmCheckBinary,
  javaAgentJar,
  javaServiceClasses,
  kafkaLibs,
  pythonServiceVenv,
  renderTemplate,
  testPython,
} from './artifacts.js';
export { collectorEnv } from './collector.js';
export { freeStackPorts, loadInfraConfig, ROOT, SETTINGS, type InfraConfig } from './config.js';
export { ERRORS, InfraError, type InfraErrorCode } from './errors.js';
export { createTopics, kafkaClient, roundTrip, topicConfig } from './kafka.js';
export {
  partitionLeadership,
  startKafkaNode,
  stopKafkaNode,
  type PartitionLeadership,
} from './kafka-node-control.js';
export { ObserverFleet, observerPartition, type FleetShape } from './observer-fleet.js';
export { renderPrometheusConfig } from './prometheus.js';
export { queryCounts, RELATIONS, relationLine, type Counts } from './stack-counts.js';
export { COMPONENTS, componentNamed, down, status, up, type ComponentStatus } from './stack.js';
export {
  AGGREGATOR_MAIN,
  APP_MAIN,
  BENCH_CLI,
  benchJson,
  OBSERVER_MAIN,
  REPLAY_MAIN,
  RUNNER_MAIN,
  STACK_CLI_MAIN,
  startAggregator,
  startApp,
  startObserver,
  type Listening,
  type RunningAggregator,
  type RunningApp,
  type RunningObserver,
} from './processes.js';
export {
  cachedKernel,
  pinnedKernels,
  selectKernels,
  type CachedKernel,
  type PinnedKernel,
} from './kernels.js';
export { createNetns, removeStale, type Command, type Netns } from './netns.js';
export { KernelVm, scriptOutcome, type VmOptions, type VmResult } from './kernel-vm.js';
export { buildInitramfs, moduleDepends, modulesInLoadOrder } from './initramfs.js';
