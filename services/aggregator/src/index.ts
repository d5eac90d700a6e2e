export { parseAggregatorArgs, type AggregatorConfig } from './config.js';
export { EventConsumer } from './consumer.js';
export { startTelemetry } from './metrics.js';
export { PartitionState, SIZE_BOUNDS } from './partition-state.js';
