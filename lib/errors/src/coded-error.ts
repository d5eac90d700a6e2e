/** Exit codes every service shares. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  /** A shell's exit code after Ctrl-C: what was done so far is reported, nothing failed. */
  interrupted: 130,
} as const;

/** One entry of a service's error catalogue. */
export interface ErrorSpec {
  /** What went wrong, in a few words: the documentation's table repeats it. */
  readonly description: string;
  /** 2 for bad input (flags, settings), 1 otherwise. */
  readonly exitCode: number;
  /** Whether trying again later may succeed. */
  readonly retriable: boolean;
  /** Bad input from the command line or the environment: the usage hint follows its line. */
  readonly usage: boolean;
}

export type Catalogue = Readonly<Record<string, ErrorSpec>>;

/**
 * An error of one service's catalogue (`OBS_*`, `AGG_*`, ...): its code names it in the
 * docs, its exit code ends the process, and `retriable` says whether a retry may cure it,
 * the flag kafkajs's errors carry too, so one walk of the cause chain reads both.
 */
export class CodedError<Code extends string = string> extends Error {
  override name = 'CodedError';
  readonly exitCode: number;
  readonly retriable: boolean;
  readonly usage: boolean;

  constructor(
    catalogue: Readonly<Record<Code, ErrorSpec>>,
    readonly code: Code,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.exitCode = catalogue[code].exitCode;
    this.retriable = catalogue[code].retriable;
    this.usage = catalogue[code].usage;
  }
}

/**
 * The error class of one service's catalogue: `class ObserverError extends
 * errorClass('ObserverError', ERRORS) {}` takes the catalogue's codes and nothing else.
 */
export function errorClass<C extends Catalogue>(name: string, catalogue: C) {
  type Code = Extract<keyof C, string>;
  return class extends CodedError<Code> {
    override name = name;
    constructor(code: Code, message: string, options?: { cause?: unknown }) {
      super(catalogue, code, message, options);
    }
  };
}

/** Builds a catalogue entry; most errors are neither usage errors nor retriable. */
export function failure(
  description: string,
  { exitCode = EXIT.failed, retriable = false }: { exitCode?: number; retriable?: boolean } = {},
): ErrorSpec {
  return { description, exitCode, retriable, usage: false };
}

/** A usage error entry: bad flags or settings, exit code 2. */
export function usage(description: string): ErrorSpec {
  return { description, exitCode: EXIT.usage, retriable: false, usage: true };
}
