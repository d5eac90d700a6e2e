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

function causes(err: unknown): Error[] {
  const chain: Error[] = [];
  for (let e = err; e instanceof Error && !chain.includes(e); e = e.cause) chain.push(e);
  return chain;
}

/**
 * Whether a retry may cure `err`. Our own catalogue knows best: the first coded error in the
 * cause chain decides. Otherwise the deepest error that carries a `retriable` flag decides, as
 * kafkajs's errors do: its "retries exceeded" wrapper (false) says the retrier gave up, while
 * the failure under it (a refused connection, true) says whether it lasts. An error with no
 * flag anywhere (a dropped socket) is taken as retriable.
 */
export function isRetriable(err: unknown): boolean {
  const chain = causes(err);
  const coded = chain.find((e) => e instanceof CodedError);
  if (coded) return coded.retriable;
  let retriable = true;
  for (const e of chain) {
    const flag = (e as { retriable?: unknown }).retriable;
    if (typeof flag === 'boolean') retriable = flag;
  }
  return retriable;
}

/**
 * Node's codes for a broker certificate that TLS refuses (openssl's verify errors and Node's
 * host-name check): a setting to fix, never an outage to wait out.
 */
const CERTIFICATE_REFUSED = /^(UNABLE_TO_\w+|\w*CERT\w*)$/;

/**
 * Why Kafka and this client cannot talk however long they try, if that is what `err` says: a
 * SASL login the broker refused, or a broker certificate this client does not trust. kafkajs
 * flags the first as final but the second as a retriable connection error.
 */
export function kafkaRefusal(err: unknown): string | undefined {
  for (const e of causes(err)) {
    if (e.name === 'KafkaJSSASLAuthenticationError')
      return `the SASL login was refused: ${e.message}`;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CERTIFICATE_REFUSED.test(code)) {
      return `the broker's TLS certificate is not trusted (${code}): ${e.message}`;
    }
  }
  return undefined;
}

/** The first coded error in `err`'s cause chain: the reason to report, however it was wrapped. */
export function codedCause(err: unknown): CodedError | undefined {
  return causes(err).find((e): e is CodedError => e instanceof CodedError);
}

/**
 * The coded error in `err`'s cause chain that its catalogue says no retry can cure, if any.
 * A service that retries Kafka's own failures for as long as it runs (kafkajs's retrier reads
 * their flags itself) stops on this one, with its line.
 */
export function permanentCause(err: unknown): CodedError | undefined {
  const coded = codedCause(err);
  return coded?.retriable === false ? coded : undefined;
}

/** How a failed process reports `err`: one line (without the program's name) and an exit code. */
export function describeFailure(err: unknown): { line: string; exitCode: number } {
  const coded = codedCause(err);
  const reason = coded ?? err;
  const line = (reason instanceof Error ? reason.message : String(reason)).split('\n')[0] ?? '';
  return { line, exitCode: coded?.exitCode ?? EXIT.failed };
}

/**
 * Reports a failure the shared way: `program: reason` on stderr, then any details, then the
 * usage hint when the reason is a usage error (bad flags or settings). Returns the exit code.
 */
export function reportFailure(
  program: string,
  err: unknown,
  { usageHint = 'run with --help for usage', details = '' } = {},
): number {
  const { line, exitCode } = describeFailure(err);
  process.stderr.write(`${program}: ${line}\n`);
  if (details !== '') process.stderr.write(details.endsWith('\n') ? details : `${details}\n`);
  if (codedCause(err)?.usage === true && usageHint !== '') process.stderr.write(`${usageHint}\n`);
  return exitCode;
}

/**
 * Runs a service's main function and ends the process the shared way: its exit code, or on
 * an error the report of reportFailure and the error's exit code.
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
  main().then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.exitCode = reportFailure(program, err, {
        ...(options.usageHint === undefined ? {} : { usageHint: options.usageHint }),
        details: options.details?.(err) ?? '',
      });
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
