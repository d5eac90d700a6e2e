import koffi from 'koffi';

/** clock_gettime's clock of the calling thread's CPU time (linux/time.h). */
const CLOCK_THREAD_CPUTIME_ID = 3;

interface Timespec {
  tv_sec: number;
  tv_nsec: number;
}

/**
 * The calling thread's CPU time in µs, from clock_gettime(CLOCK_THREAD_CPUTIME_ID): exact to
 * the nanosecond, about 1 µs a call through koffi. Node 20 has no thread CPU clock of its own
 * (process.threadCpuUsage came in 23.9); process.cpuUsage() counts every thread, so time V8's
 * helper threads spent during a burn would be taken off it, and /proc/thread-self/schedstat
 * moves only at the scheduler's tick.
 */
function threadCpuClock(): () => number {
  const timespec = koffi.struct({ tv_sec: 'int64_t', tv_nsec: 'int64_t' });
  const clockGettime = koffi
    .load('libc.so.6')
    .func('clock_gettime', 'int', ['int', koffi.out(koffi.pointer(timespec))]) as (
    clock: number,
    now: Timespec,
  ) => number;
  const now: Timespec = { tv_sec: 0, tv_nsec: 0 };
  return () => {
    clockGettime(CLOCK_THREAD_CPUTIME_ID, now);
    return now.tv_sec * 1e6 + now.tv_nsec / 1e3;
  };
}

/**
 * The calibration's known cost (APP_BURN_US): a function that keeps the CPU busy until the
 * calling thread has spent `us` more µs of CPU time. A thread CPU clock, not the wall clock:
 * time the app spends preempted by a neighbour burns nothing, so the cost added is `us` of
 * the app's CPU on a busy machine as on a quiet one.
 */
export function cpuBurner(us: number): () => void {
  const clock = threadCpuClock();
  return () => {
    const end = clock() + us;
    while (clock() < end);
  };
}
