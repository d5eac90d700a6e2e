export { decodedBatch, decodedEvent, FIXTURE_PID } from './decoded-batches.js';
