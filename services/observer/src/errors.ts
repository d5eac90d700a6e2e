/**
 * The observer's errors, one code each (README, "Observer errors"). Every one is printed as
 * one line; `usage` ones exit 2, the rest 1.
 */
export const ERRORS = {
  OBS_USAGE: 'bad command-line flags',
  OBS_NO_BTF: 'the kernel exposes no BTF, which CO-RE needs',
  OBS_MISSING_CAPABILITIES: 'the process lacks capabilities needed to load and attach BPF programs',
  OBS_TARGET_NOT_FOUND: 'no process matches the target',
  OBS_UPROBE_LIBRARY: 'the uprobe library is missing',
  OBS_UPROBE_SYMBOL: 'the uprobe symbol is not in the library',
  OBS_VERIFIER: 'the kernel verifier rejected a BPF program',
  OBS_TRACEFS: 'tracefs is not mounted, so tracepoints cannot be attached',
  OBS_BPF: 'a libbpf call failed',
} as const;

export type ErrorCode = keyof typeof ERRORS;

export class ObserverError extends Error {
  override name = 'ObserverError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }

  get exitCode(): number {
    return this.code === 'OBS_USAGE' ? 2 : 1;
  }
}
