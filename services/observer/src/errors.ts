import { errorClass, failure, usage } from '@obscost/errors';

/**
 * The observer's errors, one code each (docs/observer.md, "Observer errors"). Each is
 * printed as one line; OBS_USAGE exits 2, the others 1.
 */
export const ERRORS = {
  OBS_USAGE: usage('bad command-line flags'),
  OBS_NO_BTF: failure('the kernel exposes no BTF, which CO-RE needs'),
  OBS_MISSING_CAPABILITIES: failure(
    'the process lacks capabilities needed to load and attach BPF programs',
  ),
  OBS_TARGET_NOT_FOUND: failure('no process matches the target'),
  OBS_PIDFILE: failure('the pid file may be written by others than root or --uid', {
    retriable: true,
  }),
  OBS_TARGET_OTHER_UID: failure('a process the target names belongs to another user than --uid', {
    retriable: true,
  }),
  OBS_TARGETS_FULL: failure('the targets map is full: more processes match than it holds', {
    retriable: true,
  }),
  OBS_UPROBE_LIBRARY: failure('the uprobe library is missing'),
  OBS_UPROBE_SYMBOL: failure('the uprobe symbol is not in the library'),
  OBS_VERIFIER: failure('the kernel verifier rejected a BPF program'),
  OBS_TRACEFS: failure('tracefs is not mounted, so tracepoints cannot be attached'),
  OBS_BPF: failure('a libbpf call failed'),
  OBS_KAFKA_REFUSED: failure('Kafka refused the SASL login, or its TLS certificate is not trusted'),
  OBS_CAPTURE: failure('the capture file cannot be created, or exists and may not be replaced'),
} as const;

export type ObserverErrorCode = keyof typeof ERRORS;

export class ObserverError extends errorClass('ObserverError', ERRORS) {}
