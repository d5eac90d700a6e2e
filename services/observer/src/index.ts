export { BpfObject, verifierReason, type Link } from './bpf-object.js';
export { uprobeNeedsAdmin } from './capabilities.js';
export { parseObserverArgs, type ObserverConfig } from './config.js';
export { parseSize, SETTINGS } from './settings.js';
export { EventCounters } from './counters.js';
export { DrainLoop, type PollTimers } from './drain-loop.js';
export { ERRORS, ObserverError, type ObserverErrorCode } from './errors.js';
export { decodeEvent, EVENT_LAYOUT, EVENT_SIZE, EventKind, KIND_NAMES } from '@obscost/events';
export { TargetFollower } from './follow.js';
export { openKernel, type KernelSide } from './kernel.js';
export { observerRegistry } from './metrics.js';
export type { ObserverReadings } from './observer-readings.js';
export { Observer } from './observer.js';
export { Pipeline, shutDown, type BatchCapture, type BatchSink } from './pipeline.js';
export { preflight } from './preflight.js';
export {
  PROBES,
  PROGRAMS,
  TCP_PROBE_MODES,
  type Probe,
  type TcpProbeMode,
} from './probe-vocabulary.js';
export { mapRingBuffer, RingBufferReader, PAGE_SIZE } from './ring-buffer.js';
export { resolveTargets } from './targets.js';
