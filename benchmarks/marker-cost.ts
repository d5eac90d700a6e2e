/**
 * What the app's uprobe marker costs per call with nothing attached: app_write called
 * through koffi in a tight loop, beside a call to an empty JavaScript function as the
 * reference. Median of several runs.
 *
 *   npm run bench:marker -- [--runs 7] [--calls 2000000]
 */
import { DEFAULT_MARKER_LIBRARY, loadMarker } from '@obscost/app';
import { median } from '@obscost/measure';
import { benchmarkFlags, flag } from './settings.js';

const { runs, calls } = benchmarkFlags('bench:marker', 'What a call of the marker costs.', {
  runs: flag.runs(7),
  calls: flag.count('calls', 2_000_000, 'calls a run'),
});

function nsPerCall(fn: (bytes: number) => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) fn(i);
  return Number(process.hrtime.bigint() - start) / calls;
}

const appWrite = loadMarker(DEFAULT_MARKER_LIBRARY);
let referenceCalls = 0;
const emptyJs = (): void => {
  referenceCalls++;
};
const marker: number[] = [];
const reference: number[] = [];
for (let i = 0; i < runs; i++) {
  marker.push(nsPerCall(appWrite));
  reference.push(nsPerCall(emptyJs));
}
if (referenceCalls !== runs * calls) throw new Error('the reference loop was optimized away');
const show = (samples: number[]): string => samples.map((v) => v.toFixed(1)).join(' ');
process.stdout.write(
  `${calls} calls a run, ${runs} runs\n` +
    `app_write via koffi   median ${median(marker).toFixed(1)} ns/call   runs: ${show(marker)}\n` +
    `JS function call      median ${median(reference).toFixed(2)} ns/call   runs: ${show(reference)}\n` +
    `marker cost           ${(median(marker) - median(reference)).toFixed(1)} ns/call above a JS call\n`,
);
