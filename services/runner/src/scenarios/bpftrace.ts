import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, type RunningApp } from '@obscost/infra';
import { processTree, startChild, type Child } from '@obscost/process';
import { NOT_COMPARABLE_BECAUSE } from '../accuracy.js';
import { hasCommand, needsRoot } from './requirements.js';
import { nothing, pidOf, type Scenario } from './scenario.js';

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

/** The script's filter on who is followed, and the line that puts its first process there. */
const FOLLOWED = '/@followed[pid]/';
const FOLLOWED_FIRST = '@followed[$1] = 1;';

/** The script's text with `from` replaced by `to`, which it must hold. */
function rewritten(from: string, to: string): string {
  const script = readFileSync(BPFTRACE_SCRIPT, 'utf8');
  if (!script.includes(from)) throw new Error(`${BPFTRACE_SCRIPT} no longer holds ${from}`);
  return script.replaceAll(from, to);
}

/**
 * bpftrace's arguments. The script as it is on one process, which it follows with the
 * processes it starts from then on; on a tree already of several, the script with each of them
 * followed from the start; with `comm` (--service-comm, holding no quote: service-settings
 * checked it), the script with every process of that name as its filter.
 */
export function bpftraceArgs(tree: readonly number[], comm: string | undefined): string[] {
  if (comm !== undefined) return ['-e', rewritten(FOLLOWED, `/comm == "${comm}"/`), '0'];
  const [first, ...more] = tree;
  if (first === undefined) throw new Error('bpftrace has no process to follow');
  if (more.length === 0) return [BPFTRACE_SCRIPT, String(first)];
  const followed = tree.map((pid) => `@followed[${pid}] = 1;`).join(' ');
  return ['-e', rewritten(FOLLOWED_FIRST, followed), '0'];
}

export const bpftrace: Scenario = {
  name: 'bpftrace',
  description:
    "the seed's bpftrace script (bpf/http_bytes.bt): write and writev tracepoints, on the app and the processes it starts",
  loadsBpf: true,
  unavailable: () =>
    needsRoot() ?? (hasCommand('bpftrace') ? undefined : 'bpftrace is not installed'),
  observe(_infra, _run, service) {
    let tracer: Child | undefined;
    return Promise.resolve({
      ...nothing(),
      async attach(app: RunningApp) {
        tracer = startChild('bpftrace', bpftraceArgs(processTree(pidOf(app)), service?.comm));
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
            // Our app answers with one writev a response; a service may write one in several.
            ...(service !== undefined && {
              notComparable: { requests: NOT_COMPARABLE_BECAUSE.writeCalls },
            }),
          },
        });
      },
      stop: async () => {
        await tracer?.stop(5_000);
      },
    });
  },
};
