export * from './browser-check.js';
export { decodedBatch, decodedEvent, FIXTURE_PID } from './decoded-batches.js';
