import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { runToEnd } from '@obscost/process';

/** A BPF program's cost from the kernel's statistics (kernel.bpf_stats_enabled). */
export interface BpfProgramCost {
  name: string;
  type: string;
  /** Which process loaded it: observer or bpftrace. */
  owner: string;
  run_cnt: number;
  run_time_ns: number;
  ns_per_run: number;
}

/** A BPF program's counters from the kernel, cumulative since it was loaded. */
export interface ProgramCounters {
  id: number;
  name: string;
  type: string;
  owner: string;
  run_cnt: number;
  run_time_ns: number;
}

/**
 * The ids of the BPF programs `pid` holds open, from /proc/PID/fdinfo: a program's fd says
 * `prog_id:`. This Debian's bpftool is built without the skeleton that would list each
 * program's pids.
 */
export function programIdsOf(pid: number): number[] {
  const ids: number[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    let info: string;
    try {
      info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
    } catch {
      continue; // closed meanwhile
    }
    const match = /^prog_id:\s+(\d+)$/m.exec(info);
    if (match !== null) ids.push(Number(match[1]));
  }
  return [...new Set(ids)].sort((a, b) => a - b);
}

interface BpftoolProgram {
  id: number;
  type: string;
  name?: string;
  run_time_ns?: number;
  run_cnt?: number;
}

/** The counters of the programs each owner (name -> pid) holds, now. */
export async function programCounters(owners: Record<string, number>): Promise<ProgramCounters[]> {
  const ownerOf = new Map<number, string>();
  for (const [owner, pid] of Object.entries(owners)) {
    for (const id of programIdsOf(pid)) ownerOf.set(id, owner);
  }
  if (ownerOf.size === 0) return [];
  const { code, stdout, stderr } = await runToEnd('bpftool', ['prog', 'show', '--json'], {
    timeoutMs: 30_000,
  });
  if (code !== 0) throw new Error(`bpftool prog show exited with ${code}: ${stderr.trim()}`);
  const seen = new Map<string, number>();
  return (JSON.parse(stdout) as BpftoolProgram[])
    .filter((p) => ownerOf.has(p.id))
    .map((p) => {
      const owner = ownerOf.get(p.id) ?? '';
      // The kernel keeps 15 characters of a name: bpftrace's sys_enter_write and
      // sys_enter_writev both read sys_enter_write. The second of a name is #2, and so on.
      const name = p.name ?? `prog_${p.id}`;
      const nth = (seen.get(`${owner}/${name}`) ?? 0) + 1;
      seen.set(`${owner}/${name}`, nth);
      return {
        id: p.id,
        name: nth === 1 ? name : `${name}#${nth}`,
        type: p.type,
        owner,
        run_cnt: p.run_cnt ?? 0,
        run_time_ns: p.run_time_ns ?? 0,
      };
    });
}

/** What each program ran between two readings. */
export function programCosts(
  before: readonly ProgramCounters[],
  after: readonly ProgramCounters[],
): BpfProgramCost[] {
  return after.map((p) => {
    const start = before.find((b) => b.id === p.id);
    const runs = p.run_cnt - (start?.run_cnt ?? 0);
    const ns = p.run_time_ns - (start?.run_time_ns ?? 0);
    return {
      name: p.name,
      type: p.type,
      owner: p.owner,
      run_cnt: runs,
      run_time_ns: ns,
      ns_per_run: runs === 0 ? 0 : ns / runs,
    };
  });
}

const STATS_SWITCH = '/proc/sys/kernel/bpf_stats_enabled';

/**
 * Turns on the kernel's run-time statistics for every BPF program and returns what turns them
 * back to how they were. They cost each program run two clock reads (tens of ns), paid by
 * every eBPF scenario alike.
 */
export function enableBpfStats(): () => void {
  const before = readFileSync(STATS_SWITCH, 'utf8').trim();
  writeFileSync(STATS_SWITCH, '1');
  return () => {
    writeFileSync(STATS_SWITCH, before);
  };
}
