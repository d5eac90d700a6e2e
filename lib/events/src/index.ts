export {
  BATCH_CANONICAL_SCHEMA,
  BATCH_FINGERPRINT,
  BATCH_SCHEMA_FILE,
  BATCH_TYPE,
  checkFraming,
  decodeBatch,
  encodeBatch,
  FramingError,
  SINGLE_OBJECT_HEADER_SIZE,
  SINGLE_OBJECT_MAGIC,
  type DecodedBatch,
  type DecodedEvent,
  type ProcessName,
} from './avro.js';
export { BatchReader, columnsOf, type BatchColumns } from './batch-decoder.js';
export { BatchEncoder, MAX_ENCODED_EVENT } from './batch-encoder.js';
export { crc64Avro } from './crc64-avro.js';
export {
  decodeEvent,
  EVENT_FLAG_SOCKET,
  EVENT_KIND_COUNT,
  EVENT_LAYOUT,
  EVENT_SIZE,
  EventKind,
  KIND_NAMES,
  type ObservedEvent,
} from './event.js';
export { SIZE_BOUNDS, sizeBucket } from './sizes.js';
export { CaptureCutShort, CaptureWriter, captureBatches, readCapture } from './capture-file.js';
export {
  APP_HEALTH_METRICS,
  APP_METRICS,
  COLLECTOR_METRICS,
  EVENT_METRICS,
  MARKER_SYMBOLS,
  TOPICS,
  type EventFamily,
  type MarkerSymbol,
} from './names.js';
