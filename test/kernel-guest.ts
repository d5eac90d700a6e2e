import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '@obscost/infra';
import { PROGRAMS } from '@obscost/observer';

/** The script each guest of the matrix runs (its facts and checks are described there). */
export const GUEST_CHECKS = path.join(ROOT, 'infra/kernels/observer-checks.sh');

/** bpftool shows a program's name as the kernel keeps it: 15 bytes and a NUL. */
const KERNEL_NAME_LENGTH = 15;

/** The guest's script with what it reads from its environment set first. */
export function guestScript(calls: number): string {
  const programs = Object.values(PROGRAMS).map((name) => name.slice(0, KERNEL_NAME_LENGTH));
  const settings = [`ROOT='${ROOT}'`, `N=${calls}`, `PROGRAMS='${programs.join(' ')}'`];
  return `export ${settings.join(' ')}\n${readFileSync(GUEST_CHECKS, 'utf8')}`;
}

/** What a guest reported: one line per fact, per observer start, per count and per kill. */
export interface GuestReport {
  /** release, btf, kprobes, sock_send_length: what the kernel offers. */
  readonly facts: Record<string, string>;
  /** The observer's start line (probes and the TCP probe chosen), by run. */
  readonly started: Record<string, string>;
  /** "run series" to what was counted ("none" when the observer did not start) and expected. */
  readonly counts: Record<string, { expected: number; counted: string }>;
  /** The observer's programs still loaded after its SIGKILL, by run. */
  readonly loadedAfterKill: Record<string, string[]>;
  /** The observer's own output, by run, when it did not start (the verifier's reason). */
  readonly failures: Record<string, string>;
}

export function parseGuestReport(output: string): GuestReport {
  const report: GuestReport = {
    facts: {},
    started: {},
    counts: {},
    loadedAfterKill: {},
    failures: {},
  };
  for (const line of output.split('\n')) {
    let match: RegExpExecArray | null;
    if ((match = /^fact (\w+)=(.*)$/.exec(line))) {
      report.facts[match[1] ?? ''] = match[2] ?? '';
    } else if ((match = /^started (\w+) (.*)$/.exec(line))) {
      report.started[match[1] ?? ''] = match[2] ?? '';
    } else if ((match = /^result (\w+) (\S+) expected=(\d+) counted=(\S+)$/.exec(line))) {
      report.counts[`${match[1]} ${match[2]}`] = {
        expected: Number(match[3]),
        counted: match[4] ?? '',
      };
    } else if ((match = /^after-kill (\w+) loaded=(.*)$/.exec(line))) {
      report.loadedAfterKill[match[1] ?? ''] = (match[2] ?? '').split(' ').filter(Boolean);
    } else if ((match = /^observer (\w+)\| (.*)$/.exec(line))) {
      const run = match[1] ?? '';
      report.failures[run] = `${report.failures[run] ?? ''}${match[2] ?? ''}\n`;
    }
  }
  return report;
}
