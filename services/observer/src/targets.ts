import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { ObserverError } from './errors.js';

export type TargetSpec = { pid: number } | { pidfile: string } | { comm: string };

export function describeTarget(spec: TargetSpec): string {
  if ('pid' in spec) return `pid ${spec.pid}`;
  if ('pidfile' in spec) return `the pid in ${spec.pidfile}`;
  return `processes named ${spec.comm}`;
}

/** Whether the process still exists. */
export function alive(pid: number, proc: string): boolean {
  return existsSync(`${proc}/${pid}/stat`);
}

/**
 * The pids the spec names right now: the pid if it lives, the pid file's pid if it lives,
 * or every process whose command name (/proc/PID/comm, 15 characters at most) matches.
 */
export function resolveTargets(spec: TargetSpec, proc = '/proc'): number[] {
  if ('pid' in spec) return alive(spec.pid, proc) ? [spec.pid] : [];
  if ('pidfile' in spec) {
    let text: string;
    try {
      text = readFileSync(spec.pidfile, 'utf8');
    } catch {
      return [];
    }
    const pid = Number(text.trim());
    return Number.isSafeInteger(pid) && pid > 0 && alive(pid, proc) ? [pid] : [];
  }
  const pids: number[] = [];
  for (const entry of readdirSync(proc)) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`${proc}/${entry}/comm`, 'utf8').trim() === spec.comm.slice(0, 15)) {
        pids.push(Number(entry));
      }
    } catch {
      // The process exited while we looked.
    }
  }
  return pids.sort((a, b) => a - b);
}

/** The process's command name (/proc/PID/comm), or `unknown` once it has exited. */
export function processName(pid: number, proc = '/proc'): string {
  try {
    return readFileSync(`${proc}/${pid}/comm`, 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

/** The pids the spec names at start: none is OBS_TARGET_NOT_FOUND. */
export function requireTargets(spec: TargetSpec, proc = '/proc'): number[] {
  const pids = resolveTargets(spec, proc);
  if (pids.length === 0) {
    throw new ObserverError('OBS_TARGET_NOT_FOUND', `no process found for ${describeTarget(spec)}`);
  }
  return pids;
}
