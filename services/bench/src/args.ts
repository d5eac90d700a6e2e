import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDuration } from './duration.js';

/** Bad command-line input: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface LoadOptions {
  url: URL;
  conns: number;
  /** Issuing stops after this long; Infinity when only a request count bounds the run. */
  durationMs: number;
  /** Open model: requests per second on schedule. Closed model when undefined. */
  rate: number | undefined;
  /** Stop issuing after this many requests. */
  requests: number | undefined;
  /** A request without a complete response after this long counts as a timeout. */
  timeoutMs: number;
  method: string;
  headers: [string, string][];
  body: Buffer | undefined;
}

export type Command =
  | { kind: 'run'; load: LoadOptions; json: boolean }
  | { kind: 'compare'; files: [string, string]; json: boolean }
  | { kind: 'help' };

export const USAGE = `usage: bench -url URL [options]
       bench compare A B [--json]

Drives an HTTP/1.1 server with keep-alive connections and reports throughput and
latency. Flags take one dash or two (-url or --url).

  -url URL           target, http://host:port/path (default http://127.0.0.1:8080/ping)
  -conns N           concurrent connections (default 50)
  -dur D             how long to issue requests, e.g. 500ms, 20s, 1m (default 10s,
                     or until -requests are done when only -requests is given)
  -rate R            open model: R requests/s on schedule; latency is measured from
                     each request's intended send time (coordinated omission corrected)
  -requests N        stop issuing after N requests
  -timeout D         per-request timeout (default 10s)
  -method M          request method (default GET)
  -H, -header 'K: V' request header, repeatable
  -body S            request body
  -body-file F       request body read from file F
  -json              print one JSON object instead of the text summary

  compare A B        every figure of two saved outputs (text or JSON) side by side`;

const OPTIONS = {
  url: { type: 'string', default: 'http://127.0.0.1:8080/ping' },
  conns: { type: 'string', default: '50' },
  dur: { type: 'string' },
  rate: { type: 'string' },
  requests: { type: 'string' },
  timeout: { type: 'string', default: '10s' },
  method: { type: 'string', default: 'GET' },
  header: { type: 'string', short: 'H', multiple: true, default: [] as string[] },
  body: { type: 'string' },
  'body-file': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies ParseArgsConfig['options'];

/**
 * Go's flag package takes long flags with one dash (-url): turn those into --url. A
 * value that starts with a dash (-conns -5) is attached with "=" so that it reaches
 * validation instead of being read as another flag.
 */
function normalizeGoFlags(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const match = /^--?([a-z][a-z-]+)(=|$)/.exec(arg);
    const name = match?.[1] ?? '';
    if (!match || !(name in OPTIONS)) {
      out.push(arg);
      continue;
    }
    const next = argv[i + 1];
    const takesValue = OPTIONS[name as keyof typeof OPTIONS].type === 'string';
    if (takesValue && match[2] === '' && next?.startsWith('-') === true) {
      out.push(`--${name}=${next}`);
      i++;
    } else {
      out.push(arg.startsWith('--') ? arg : `-${arg}`);
    }
  }
  return out;
}

function positiveInteger(flag: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`-${flag} must be a positive integer, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

function positiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`-${flag} must be a positive number, got ${JSON.stringify(text)}`);
  }
  return value;
}

function duration(flag: string, text: string): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (err) {
    throw new UsageError(`-${flag}: ${(err as Error).message}`);
  }
  if (ms <= 0) throw new UsageError(`-${flag} must be longer than zero, got ${text}`);
  return ms;
}

function targetUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`-url is not a valid URL: ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:') {
    throw new UsageError(
      `-url must be an http:// URL (got ${url.protocol}//): TLS is not supported`,
    );
  }
  return url;
}

function header(text: string): [string, string] {
  const colon = text.indexOf(':');
  const name = text.slice(0, colon).trim();
  if (colon < 1 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new UsageError(`-header must look like 'Name: value', got ${JSON.stringify(text)}`);
  }
  return [name, text.slice(colon + 1).trim()];
}

function body(text: string | undefined, file: string | undefined): Buffer | undefined {
  if (text !== undefined && file !== undefined) {
    throw new UsageError('-body and -body-file cannot be used together');
  }
  if (file === undefined) return text === undefined ? undefined : Buffer.from(text);
  try {
    return readFileSync(file);
  } catch (err) {
    throw new UsageError(`-body-file: cannot read ${file}: ${(err as Error).message}`);
  }
}

export function parseCommand(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: normalizeGoFlags(argv),
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0] ?? 'bad arguments');
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };

  if (positionals[0] === 'compare') {
    const [, a, b, ...rest] = positionals;
    if (a === undefined || b === undefined || rest.length > 0) {
      throw new UsageError('compare takes exactly two files: bench compare A B [--json]');
    }
    return { kind: 'compare', files: [a, b], json: values.json };
  }
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  }

  const requests =
    values.requests === undefined ? undefined : positiveInteger('requests', values.requests);
  const durationMs =
    values.dur !== undefined
      ? duration('dur', values.dur)
      : requests !== undefined
        ? Infinity
        : 10_000;
  const method = values.method.toUpperCase();
  if (!/^[A-Z]+$/.test(method)) {
    throw new UsageError(
      `-method must be an HTTP method name, got ${JSON.stringify(values.method)}`,
    );
  }
  return {
    kind: 'run',
    json: values.json,
    load: {
      url: targetUrl(values.url),
      conns: positiveInteger('conns', values.conns),
      durationMs,
      rate: values.rate === undefined ? undefined : positiveNumber('rate', values.rate),
      requests,
      timeoutMs: duration('timeout', values.timeout),
      method,
      headers: values.header.map(header),
      body: body(values.body, values['body-file']),
    },
  };
}
