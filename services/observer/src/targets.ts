import { readdirSync, readFileSync, statSync } from 'node:fs';
import { alive, readProcessTable, readProcStat } from '@obscost/process';
import { ObserverError } from './errors.js';

export type TargetSpec =
  { pid: number } | { tree: number } | { pidfile: string } | { comm: string };

export function describeTarget(spec: TargetSpec): string {
  if ('pid' in spec) return `pid ${spec.pid}`;
  if ('tree' in spec) return `pid ${spec.tree} and the processes it started`;
  if ('pidfile' in spec) return `the pid in ${spec.pidfile}`;
  return `processes named ${spec.comm}`;
}

/**
 * The pid a pid file names, if any. Anyone who can write the file chooses the process the
 * observer follows, so it is refused (OBS_PIDFILE) unless owned by root or by `uid` (--uid)
 * and writable by its owner alone.
 */
function readPidFile(file: string, uid: number | undefined): number | undefined {
  let stat;
  try {
    stat = statSync(file);
  } catch {
    return undefined;
  }
  const trusted = uid === undefined ? 'root' : `root or uid ${uid}`;
  if (stat.uid !== 0 && stat.uid !== uid) {
    throw new ObserverError(
      'OBS_PIDFILE',
      `pid file ${file} is owned by uid ${stat.uid}: only one owned by ${trusted} is trusted`,
    );
  }
  if ((stat.mode & 0o022) !== 0) {
    throw new ObserverError(
      'OBS_PIDFILE',
      `pid file ${file} is writable by group or others (mode ${(stat.mode & 0o777).toString(8)})`,
    );
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * The pids the spec names right now: the pid if it lives, the tree's root and every live
 * process descended from it, the pid file's pid if it lives, or every process whose command
 * name (/proc/PID/comm, 15 characters at most) matches.
 * `uid` (--uid) is the other owner a pid file may have besides root.
 */
export function resolveTargets(spec: TargetSpec, proc = '/proc', uid?: number): number[] {
  if ('pid' in spec) return alive(spec.pid, proc) ? [spec.pid] : [];
  if ('tree' in spec) {
    return readProcessTable(proc)
      .tree(spec.tree)
      .filter((pid) => alive(pid, proc));
  }
  if ('pidfile' in spec) {
    const pid = readPidFile(spec.pidfile, uid);
    return pid !== undefined && alive(pid, proc) ? [pid] : [];
  }
  const pids: number[] = [];
  for (const entry of readdirSync(proc)) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const named = readFileSync(`${proc}/${entry}/comm`, 'utf8').trim() === spec.comm.slice(0, 15);
      if (named && alive(Number(entry), proc)) pids.push(Number(entry));
    } catch {
      // The process exited while we looked.
    }
  }
  return pids.sort((a, b) => a - b);
}

/** The process's real uid (the first of /proc/PID/status's `Uid:`), undefined once it has exited. */
export function processUid(pid: number, proc = '/proc'): number | undefined {
  try {
    const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`${proc}/${pid}/status`, 'utf8'))?.[1];
    return uid === undefined ? undefined : Number(uid);
  } catch {
    return undefined;
  }
}

/**
 * When the process started (field 22 of /proc/PID/stat, clock ticks since boot): with the pid
 * it names one process, so a pid reused by another is told apart. Undefined once it has exited.
 */
export function startTime(pid: number, proc = '/proc'): number | undefined {
  const started = readProcStat(pid, proc)?.startTicks;
  return started !== undefined && Number.isFinite(started) ? started : undefined;
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
export function requireTargets(spec: TargetSpec, proc = '/proc', uid?: number): number[] {
  const pids = resolveTargets(spec, proc, uid);
  if (pids.length === 0) {
    throw new ObserverError('OBS_TARGET_NOT_FOUND', `no process found for ${describeTarget(spec)}`);
  }
  return pids;
}
