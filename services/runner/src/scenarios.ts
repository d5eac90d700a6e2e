import { PROBES } from '@obscost/observer';
import { baseline } from './scenarios/baseline.js';
import { bpftrace } from './scenarios/bpftrace.js';
import { otelSdk, sidecar } from './scenarios/collector.js';
import { observerAlone, observerToKafka } from './scenarios/observer.js';
import type { Scenario } from './scenarios/scenario.js';

/** The comparison's scenarios, in the order they run. */
export const SCENARIOS: readonly Scenario[] = [
  baseline,
  sidecar,
  otelSdk,
  bpftrace,
  observerToKafka(
    'ebpf-core',
    'the CO-RE observer (ring buffer) -> Kafka -> the aggregator',
    'nop5',
  ),
  observerToKafka(
    'ebpf-breakpoint',
    'ebpf-core with the app calling the plain marker: its uprobe is a breakpoint trap',
    'plain',
  ),
  observerAlone(
    'ebpf-inkernel',
    'the CO-RE observer counting in the kernel (--mode count): no ring buffer, no Kafka',
    { marker: 'nop5', probes: PROBES, args: ['--mode', 'count'] },
  ),
];
