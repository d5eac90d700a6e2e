/** Exit codes every service shares. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** One entry of a service's error catalogue. */
export interface ErrorSpec {
  /** What went wrong, in a few words: the documentation's table repeats it. */
  readonly description: string;
  /** 2 for bad input (flags, settings), 1 otherwise. */
  readonly exitCode: number;
  /** Whether trying again later may succeed. */
  readonly retriable: boolean;
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

  constructor(
    catalogue: Readonly<Record<Code, ErrorSpec>>,
    readonly code: Code,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.exitCode = catalogue[code].exitCode;
    this.retriable = catalogue[code].retriable;
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
  { exitCode = EXIT.failed, retriable = false }: Partial<Omit<ErrorSpec, 'description'>> = {},
): ErrorSpec {
  return { description, exitCode, retriable };
}

/** A usage error entry: bad flags or settings, exit code 2. */
export function usage(description: string): ErrorSpec {
  return { description, exitCode: EXIT.usage, retriable: false };
}

function causes(err: unknown): Error[] {
  const chain: Error[] = [];
  for (let e = err; e instanceof Error && !chain.includes(e); e = e.cause) chain.push(e);
  return chain;
}

/**
 * Whether a retry may cure `err`: the `retriable` flag of the deepest error in its cause
 * chain that carries one. Wrappers such as kafkajs's "retries exceeded" say the retrier gave
 * up, not that the failure is permanent, so the root cause decides; an error with no flag
 * anywhere (a dropped connection) is taken as retriable.
 */
export function isRetriable(err: unknown): boolean {
  let retriable = true;
  for (const e of causes(err)) {
    const flag = (e as { retriable?: unknown }).retriable;
    if (typeof flag === 'boolean') retriable = flag;
  }
  return retriable;
}

/** The first coded error in `err`'s cause chain: the reason to report, however it was wrapped. */
export function codedCause(err: unknown): CodedError | undefined {
  return causes(err).find((e): e is CodedError => e instanceof CodedError);
}

/** How a failed process reports `err`: one line (without the program's name) and an exit code. */
export function describeFailure(err: unknown): { line: string; exitCode: number } {
  const coded = codedCause(err);
  const reason = coded ?? err;
  const line = (reason instanceof Error ? reason.message : String(reason)).split('\n')[0] ?? '';
  return { line, exitCode: coded?.exitCode ?? EXIT.failed };
}

/**
 * Runs a service's main function and ends the process the shared way: its exit code, or on
 * an error `program: reason` on stderr, a hint after usage errors, and the error's exit code.
 */
export function runMain(
  program: string,
  main: () => Promise<number>,
  options: {
    /** Printed after a usage error's line; '' for none. */
    usageHint?: string;
    /** More lines about an error (a log tail), printed after its line. */
    details?: (err: unknown) => string;
  } = {},
): void {
  const { usageHint = 'run with --help for usage', details = () => '' } = options;
  main().then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      const { line, exitCode } = describeFailure(err);
      process.stderr.write(`${program}: ${line}\n`);
      const more = details(err);
      if (more !== '') process.stderr.write(more.endsWith('\n') ? more : `${more}\n`);
      if (exitCode === EXIT.usage && usageHint !== '') process.stderr.write(`${usageHint}\n`);
      process.exitCode = exitCode;
    },
  );
}

/**
 * The error codes a document lists, with their exit codes: its table rows that begin
 * `| \`PREFIX_...\` | exit |` (the docs' `| code | exit | when |` tables), for the test that
 * keeps each catalogue and its documentation equal.
 */
export function documentedErrors(markdown: string, prefix: string): Record<string, number> {
  const row = new RegExp(`^\\| \`(${prefix}_[A-Z0-9_]+)\` *\\| *(\\d+) *\\|`, 'gm');
  return Object.fromEntries([...markdown.matchAll(row)].map((m) => [m[1] ?? '', Number(m[2])]));
}

/** A catalogue's codes with their exit codes, as documentedErrors reads them from the docs. */
export function exitCodes(catalogue: Catalogue): Record<string, number> {
  return Object.fromEntries(Object.entries(catalogue).map(([code, spec]) => [code, spec.exitCode]));
}
