import { readFileSync } from 'node:fs';

/** Where this machine mounts the hierarchies that count a group's CPU time. */
export interface CgroupMounts {
  /** A cgroup v1 hierarchy with the cpuacct controller (alone or with cpu, as `cpu,cpuacct`). */
  cpuacct?: string;
  /** The cgroup v2 hierarchy, whose every group has cpu.stat. */
  unified?: string;
}

/** /proc/mounts writes a space, tab, newline or backslash in a path as an octal escape. */
function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) =>
    String.fromCharCode(parseInt(octal, 8)),
  );
}

/** The cgroup mounts of a /proc/mounts text: device, mount point, type, options, ... a line. */
export function parseCgroupMounts(text: string): CgroupMounts {
  const mounts: CgroupMounts = {};
  for (const line of text.split('\n')) {
    const [, mountPoint, type, options] = line.split(' ');
    if (mountPoint === undefined || options === undefined) continue;
    const path = unescapeMountPath(mountPoint);
    if (type === 'cgroup' && options.split(',').includes('cpuacct')) mounts.cpuacct ??= path;
    if (type === 'cgroup2') mounts.unified ??= path;
  }
  return mounts;
}

/** The cgroup mounts this process sees. */
export function cgroupMounts(): CgroupMounts {
  return parseCgroupMounts(readFileSync('/proc/self/mounts', 'utf8'));
}
