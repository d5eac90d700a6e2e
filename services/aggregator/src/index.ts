export { parseAggregatorArgs, SETTINGS, type AggregatorConfig } from './config.js';
export { EventConsumer } from './consumer.js';
export { AggregatorError, ERRORS, type AggregatorErrorCode } from './errors.js';
export { invalidBatch } from './batch-validation.js';
export { PartitionState } from './partition-state.js';
export { REPLAY_SETTINGS } from './replay-config.js';
export { decodeSnapshot, encodeSnapshot } from './snapshot-codec.js';
export { startTelemetry } from './telemetry.js';
