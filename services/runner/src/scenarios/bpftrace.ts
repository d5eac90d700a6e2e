import path from 'node:path';
import { ROOT, type RunningApp } from '@obscost/infra';
import { startChild, type Child } from '@obscost/process';
import { hasCommand, needsRoot } from './requirements.js';
import { nothing, type Scenario } from './scenario.js';

const BPFTRACE_SCRIPT = path.join(ROOT, 'bpf/http_bytes.bt');

/**
 * The sum of every value bpftrace printed for `map` (each interval prints, then clears). The
 * script's time() shares a line with the first map it prints: "17:55:11 @write_calls: 62".
 */
export function printedSum(output: string, map: string): number {
  let sum = 0;
  for (const match of output.matchAll(
    new RegExp(`^(?:\\d\\d:\\d\\d:\\d\\d )?@${map}: (\\d+)$`, 'gm'),
  )) {
    sum += Number(match[1]);
  }
  return sum;
}

export const bpftrace: Scenario = {
  name: 'bpftrace',
  description: "the seed's bpftrace script (bpf/http_bytes.bt): write and writev tracepoints",
  loadsBpf: true,
  unavailable: () =>
    needsRoot() ?? (hasCommand('bpftrace') ? undefined : 'bpftrace is not installed'),
  observe() {
    let tracer: Child | undefined;
    return Promise.resolve({
      ...nothing(),
      async attach(app: RunningApp) {
        tracer = startChild('bpftrace', [BPFTRACE_SCRIPT, String(app.pid)]);
        // The first interval's print comes once every probe is attached.
        await tracer.waitForOutput(/^\d\d:\d\d:\d\d /m, 'bpftrace to attach its probes', 60_000);
      },
      processes: () => (tracer?.pid === undefined ? {} : { bpftrace: tracer.pid }),
      bpfOwners: () => (tracer?.pid === undefined ? {} : { bpftrace: tracer.pid }),
      count() {
        const output = tracer?.stdout() ?? '';
        return Promise.resolve({
          bpftrace: {
            requests: printedSum(output, 'write_calls') + printedSum(output, 'writev_calls'),
            bytes: printedSum(output, 'write_bytes'),
            source: 'bpftrace: @write_calls + @writev_calls, @write_bytes (writev bytes uncounted)',
          },
        });
      },
      stop: async () => {
        await tracer?.stop(5_000);
      },
    });
  },
};
