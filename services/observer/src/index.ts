export { BpfObject, verifierReason, type Link } from './bpf-object.js';
export { parseObserverArgs, parseSize, SETTINGS, type ObserverConfig } from './config.js';
export { EventCounters } from './counters.js';
export { ERRORS, ObserverError, type ObserverErrorCode } from './errors.js';
export { decodeEvent, EVENT_LAYOUT, EVENT_SIZE, EventKind, KIND_NAMES } from '@obscost/events';
export { observerRegistry, type ObserverReadings } from './metrics.js';
export { Observer, PROGRAMS, TCP_PROBE_MODES } from './observer.js';
export { mapRingBuffer, RingBufferReader, PAGE_SIZE } from './ring-buffer.js';
export { resolveTargets } from './targets.js';
