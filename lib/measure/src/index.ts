export {
  enableBpfStats,
  programCosts,
  programCounters,
  programIdsOf,
  type BpfProgramCost,
  type ProgramCounters,
} from './bpf-programs.js';
export {
  attributeSamples,
  cpuProfileUnavailable,
  PROFILE_PARTS,
  recordCpuProfile,
  type CpuProfile,
  type CpuRecording,
  type ProfilePart,
} from './cpu-profile.js';
export type { ComponentCpu } from './cgroup-readings.js';
export {
  openComponentCpuMeter,
  type ComponentCpuMeter,
  type ComponentCpuMeterOptions,
} from './component-cpu.js';
export type { CpuMeterSource } from './cpu-counting.js';
export { cpuBusySnapshot, type CpuBusy, type CpuBusySnapshot } from './cpu-busy.js';
export { pin, planCpus, type CpuPlan } from './cpus.js';
export {
  foreignLoad,
  type CpuSide,
  type ForeignLoad,
  type OwnCpu,
  type SideLoad,
} from './foreign-load.js';
export { cpuSeconds, cpuSince, openFds, peakRssBytes, rssBytes, type CpuSeconds } from './proc.js';
export { processCpuNs, processTreeCpuNs } from './schedstat.js';
export { mean, median, sampleVariance, squaredDeviations } from './stats.js';
export {
  DEFAULT_CONFIDENCE,
  intervalEnds,
  ratioInterval,
  type IntervalOptions,
  type RatioInterval,
  type RoundPair,
} from './interval.js';
export { studentTCritical } from './student-t.js';
export {
  controlHolds,
  costVerdict,
  DEFAULT_TOLERANCE,
  halfWidth,
  intervalCovers,
  preciseEnough,
  type CostVerdict,
  type PrecisionOptions,
  type VerdictOptions,
} from './verdict.js';
export { histogramQuantile, seriesValue, sumOf } from './prometheus-queries.js';
export { parseExposition, type Sample } from './prometheus-text.js';
export { scrape } from './scrape.js';
export { observerCaughtUp, observerStall, type ObserverStall } from './observer-stall.js';
