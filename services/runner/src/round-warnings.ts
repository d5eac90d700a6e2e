import type { ScenarioReport } from '@obscost/report';
import { SATURATED } from './overhead.js';

/** An open run that answered less than this share of the rate asked was overloaded. */
const OPEN_RATE_KEPT = 0.95;

/** Above this share of one CPU, the load generator may have set the pace, not the app. */
const BENCH_SATURATED = 0.9;

/** What a reader must know before trusting a round's figures: see docs/report.md. */
export function roundWarnings(
  scenarios: readonly ScenarioReport[],
  rate: number,
  pinned: boolean,
): string[] {
  const found: string[] = [];
  for (const s of scenarios) {
    for (const r of s.rounds) {
      if (r.open_rps < OPEN_RATE_KEPT * rate) {
        found.push(
          `${s.name} answered ${Math.round(r.open_rps)} of the ${rate} req/s asked in its ` +
            `open run (round ${r.round}): above its capacity, its latency is mostly queueing`,
        );
      }
      if (pinned && r.app_cpu_fraction < SATURATED) {
        found.push(
          `the app used only ${r.app_cpu_fraction.toFixed(2)} of its CPU in ${s.name}'s closed ` +
            `run (round ${r.round}): something else set that capacity, such as the load ` +
            `generator starved by what shares its CPUs`,
        );
      }
      if (r.bench_cpu_fraction > BENCH_SATURATED) {
        found.push(
          `the load generator used ${r.bench_cpu_fraction.toFixed(2)} of a CPU in ${s.name}'s ` +
            `closed run (round ${r.round}): its capacity may be the generator's, not the app's`,
        );
      }
    }
  }
  return found;
}
