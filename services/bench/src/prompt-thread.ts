import koffi from 'koffi';

const PR_SET_TIMERSLACK = 29;
/** sched_setattr(2)'s syscall number, which glibc before 2.41 does not wrap. */
const SCHED_SETATTR: Partial<Record<string, number>> = { x64: 314, arm64: 274 };
/** struct sched_attr, its first version: size, policy, flags, nice, priority, runtime, deadline, period. */
const SCHED_ATTR_SIZE = 48;
const RUNTIME_OFFSET = 24;
/** The shortest slice the kernel accepts for a normal task: 100 µs. */
const SHORT_SLICE_NS = 100_000n;

/**
 * Makes the calling thread wake up on time, as far as an unprivileged thread can. Best
 * effort: where a call fails, the lag histogram shows what that cost. Two delays stand between a due time and a sleeping thread running:
 *
 * - its timer slack, 50 µs by default: one nanosecond makes the wake-up as precise as the
 *   hardware timer, for this thread alone;
 * - the task running on its CPU when it wakes (our own main thread, or another process):
 *   the EEVDF scheduler (Linux 6.6 and later) lets that one run to the end of its slice,
 *   about 3 ms, unless the waking task asks a shorter slice (Linux 6.12 and later: its
 *   sched_attr's runtime), with which it preempts at once (the PREEMPT_SHORT feature).
 */
export function makeThreadPrompt(): void {
  if (process.platform !== 'linux') return;
  const libc = koffi.load('libc.so.6');
  // prctl is variadic; on Linux's ABIs integer arguments pass the same way declared fixed.
  const prctl = libc.func(
    'int prctl(int, unsigned long, unsigned long, unsigned long, unsigned long)',
  );
  prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0);
  const number = SCHED_SETATTR[process.arch];
  if (number === undefined) return;
  const syscall = libc.func('long syscall(long, ...)');
  const attr = Buffer.alloc(SCHED_ATTR_SIZE);
  attr.writeUInt32LE(SCHED_ATTR_SIZE, 0);
  // SCHED_OTHER, no flags, nice 0: only the slice changes.
  attr.writeBigUInt64LE(SHORT_SLICE_NS, RUNTIME_OFFSET);
  // Before Linux 6.12 the runtime of a normal task is ignored: the call changes nothing.
  syscall(number, 'int', 0, 'void *', attr, 'unsigned int', 0);
}
