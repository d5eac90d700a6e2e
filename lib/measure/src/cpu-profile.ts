import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runToEnd, startChild, stdoutLines, waitFor } from '@obscost/process';

/**
 * Where a sample of the app's CPU was, by what put it there: the parts the observer adds
 * (each program's run, the ring buffer's hand-off inside it, the entries that dispatch to
 * the programs) and the rest, the app's own work. A sample is given to the first part, in
 * this order, any frame of its stack belongs to: a ring buffer helper runs inside a
 * program, which runs inside an uprobe or a tracepoint's dispatch.
 */
export const PROFILE_PARTS = [
  'ring_buffer',
  'bpf_programs',
  'uprobe_entry',
  'syscall_tracepoints',
  'tcp_tracepoint',
  'rest',
] as const;
export type ProfilePart = (typeof PROFILE_PARTS)[number];

/** One frame of `perf script -F ip,sym,dso`: its symbol and the object it is in. */
interface Frame {
  symbol: string;
  dso: string;
}

const PART_OF_FRAME: [Exclude<ProfilePart, 'rest'>, (frame: Frame) => boolean][] = [
  ['ring_buffer', ({ symbol }) => /^_*bpf_ringbuf_/.test(symbol)],
  ['bpf_programs', ({ symbol }) => symbol.startsWith('bpf_prog_')],
  [
    'uprobe_entry',
    // The nop5 uprobe: a jump to the trampoline, which makes the uprobe syscall; the
    // breakpoint uprobe: an int3 trap, then a single step's debug trap (the app sets no
    // hardware breakpoint of its own), each entered through its asm_ stub.
    ({ symbol, dso }) =>
      dso === '[uprobes-trampoline]' ||
      /^(__x64_sys_uprobe|uprobe_notify_resume|handle_swbp|(asm_)?exc_int3|(asm_)?exc_debug(_user)?)$/.test(
        symbol,
      ),
  ],
  // While any syscall tracepoint is on, every syscall of every task takes the slow path.
  [
    'syscall_tracepoints',
    ({ symbol }) =>
      /^(syscall_exit_work|syscall_trace_enter|perf_syscall_(enter|exit))$/.test(symbol),
  ],
  ['tcp_tracepoint', ({ symbol }) => /sock_send_length|sock_msg_length/.test(symbol)],
];

const FRAME_LINE = /^\s+[0-9a-f]+ (.*) \((.*)\)$/;

/** The part one sample's stack (leaf first) belongs to. */
function partOf(stack: readonly Frame[]): ProfilePart {
  for (const [part, matches] of PART_OF_FRAME) {
    if (stack.some(matches)) return part;
  }
  return 'rest';
}

/** Samples by part, counted from the lines of `perf script -F ip,sym,dso` (blank between samples). */
export async function attributeSamples(
  lines: AsyncIterable<string> | Iterable<string>,
): Promise<Record<ProfilePart, number>> {
  const counts = Object.fromEntries(PROFILE_PARTS.map((p) => [p, 0])) as Record<
    ProfilePart,
    number
  >;
  let stack: Frame[] = [];
  const close = (): void => {
    if (stack.length > 0) counts[partOf(stack)] += 1;
    stack = [];
  };
  for await (const line of lines) {
    const frame = FRAME_LINE.exec(line);
    if (frame === null) close();
    else stack.push({ symbol: frame[1] ?? '', dso: frame[2] ?? '' });
  }
  close();
  return counts;
}

/** What a recording found: samples at `frequency_hz`, by part. */
export interface CpuProfile {
  frequency_hz: number;
  samples: number;
  parts: Record<ProfilePart, number>;
}

export interface CpuRecording {
  /** Ends the recording and reads it; the recording's files are removed. */
  stop(): Promise<CpuProfile>;
}

/**
 * Samples `pid`'s CPU (every thread, user and kernel stacks) with `perf record` at
 * `frequencyHz` until stopped. Timer-based (cpu-clock): these VMs have no hardware counters.
 */
export async function recordCpuProfile(pid: number, frequencyHz = 2999): Promise<CpuRecording> {
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-profile-'));
  const file = path.join(dir, 'perf.data');
  const perf = startChild('perf', [
    ...['record', '--quiet', '-e', 'cpu-clock', '-F', String(frequencyHz), '-g'],
    ...['-p', String(pid), '-o', file],
  ]);
  try {
    // perf writes the file's header once it has opened its events on every thread.
    await waitFor(
      'perf record to start',
      () => {
        if (!perf.running) throw new Error(`perf record exited: ${perf.output().trim()}`);
        return statSync(file, { throwIfNoEntry: false })?.isFile() === true;
      },
      10_000,
    );
  } catch (err) {
    await perf.stop(2_000);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    async stop() {
      try {
        // perf record writes its file out on SIGTERM, then dies of the signal (code null).
        const code = await perf.stop(10_000);
        if (code !== null && code !== 0) {
          throw new Error(`perf record exited with ${code}: ${perf.output().trim()}`);
        }
        // Read as it comes, not kept: a recording's stacks run to tens of megabytes of text.
        const parts = await attributeSamples(
          stdoutLines('perf', ['script', '-i', file, '-F', 'ip,sym,dso']),
        );
        const samples = Object.values(parts).reduce((sum, n) => sum + n, 0);
        return { frequency_hz: frequencyHz, samples, parts };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Whether `perf record` can run here: the reason it cannot, or undefined. */
export async function cpuProfileUnavailable(): Promise<string | undefined> {
  try {
    const { code, stderr } = await runToEnd('perf', ['--version'], { timeoutMs: 10_000 });
    return code === 0 ? undefined : `perf --version failed: ${stderr.trim()}`;
  } catch (err) {
    return `perf is not installed (Debian: linux-perf): ${(err as Error).message}`;
  }
}
