import { callFailure, libbpf, libcCalls } from './libbpf.js';

/* struct bpf_prog_info in include/uapi/linux/bpf.h; test/kernel-stats.test.ts checks these
 * offsets against the system header. */
export const PROG_INFO_SIZE = 232;
export const PROG_INFO_RUN_TIME_NS = 192;
export const PROG_INFO_RUN_CNT = 200;
const BPF_STATS_RUN_TIME = 0;

export interface ProgramStats {
  runTimeNs: number;
  runCount: number;
}

/**
 * The kernel's own accounting of BPF programs: time spent in each and how often it ran.
 * It counts only while some process holds the statistics enabled, which the observer does
 * from start to stop. That time is charged to the observed app, not to the observer.
 * Asked for and refused, or unreadable, is an error: never a silent zero.
 */
export class KernelStats {
  private readonly statsFd: number;

  constructor() {
    this.statsFd = libbpf.enableStats(BPF_STATS_RUN_TIME);
    if (this.statsFd < 0) throw callFailure('cannot turn the BPF run-time statistics on');
  }

  program(fd: number): ProgramStats {
    const info = Buffer.alloc(PROG_INFO_SIZE);
    if (libbpf.objectInfo(fd, info, [PROG_INFO_SIZE]) !== 0) {
      throw callFailure("cannot read a BPF program's statistics");
    }
    return {
      runTimeNs: Number(info.readBigUInt64LE(PROG_INFO_RUN_TIME_NS)),
      runCount: Number(info.readBigUInt64LE(PROG_INFO_RUN_CNT)),
    };
  }

  close(): void {
    libcCalls.close(this.statsFd);
  }
}

/** Sums a per-CPU array's u64 value for `key` over every possible CPU; `map` names it in an error. */
export function perCpuSum(mapFd: number, key: number, map: string): number {
  const cpus = libbpf.possibleCpus();
  const keyBuffer = Buffer.alloc(4);
  keyBuffer.writeUInt32LE(key);
  const values = Buffer.alloc(8 * cpus);
  if (libbpf.mapLookup(mapFd, keyBuffer, values) !== 0)
    throw callFailure(`cannot read map ${map} at key ${key}`);
  let sum = 0;
  for (let cpu = 0; cpu < cpus; cpu++) sum += Number(values.readBigUInt64LE(cpu * 8));
  return sum;
}
