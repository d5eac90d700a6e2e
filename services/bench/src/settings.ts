import { readFileSync } from 'node:fs';
import {
  durationRule,
  LOOPBACK,
  parseSettings,
  PORTS,
  positiveIntegerRule,
  setting,
  SettingError,
  usageText,
  type SettingValues,
} from '@obscost/flags';
import { BenchError } from './errors.js';
import type { LoadOptions } from './load-options.js';

export type Command =
  | { kind: 'run'; load: LoadOptions; json: boolean }
  | { kind: 'compare'; files: [string, string]; json: boolean }
  | { kind: 'help' };

function targetUrlRule(name: string, text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SettingError(`${name} is not a valid URL: ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:') {
    throw new SettingError(
      `${name} must be an http:// URL (got ${url.protocol}//): TLS is not supported`,
    );
  }
  return url;
}

function methodRule(name: string, text: string): string {
  const method = text.toUpperCase();
  if (!/^[A-Z]+$/.test(method)) {
    throw new SettingError(`${name} must be an HTTP method name, got ${JSON.stringify(text)}`);
  }
  return method;
}

function headerRule(name: string, text: string): [string, string] {
  const colon = text.indexOf(':');
  const header = text.slice(0, colon).trim();
  if (colon < 1 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(header)) {
    throw new SettingError(`${name} must look like 'Name: value', got ${JSON.stringify(text)}`);
  }
  return [header, text.slice(colon + 1).trim()];
}

/** Every flag of the bench, Go style (-url; --url works too): docs/app-and-bench.md. */
export const SETTINGS = {
  url: setting.custom({
    flag: 'url',
    placeholder: 'URL',
    default: `http://${LOOPBACK}:${PORTS.app}/ping`,
    help: 'target, http://host:port/path',
    parse: (text: string, name: string) => targetUrlRule(name, text),
  }),
  conns: setting.custom({
    flag: 'conns',
    placeholder: 'N',
    default: '50',
    help: 'concurrent connections',
    parse: (text: string, name: string) => positiveIntegerRule(name, text),
  }),
  dur: setting.custom({
    flag: 'dur',
    placeholder: 'D',
    defaultDoc: '10s',
    help: 'how long to issue requests, e.g. 500ms, 20s, 1m30s; with only -requests, until they are done',
    parse: (text: string, name: string) => durationRule(name, text),
  }),
  rate: setting.positiveNumber({
    flag: 'rate',
    placeholder: 'R',
    help: "open model: R requests/s on schedule, latency measured from each request's due time",
  }),
  requests: setting.custom({
    flag: 'requests',
    placeholder: 'N',
    help: 'stop issuing after N requests',
    parse: (text: string, name: string) => positiveIntegerRule(name, text),
  }),
  timeout: setting.custom({
    flag: 'timeout',
    placeholder: 'D',
    default: '10s',
    help: 'per-request timeout',
    parse: (text: string, name: string) => durationRule(name, text),
  }),
  method: setting.custom({
    flag: 'method',
    placeholder: 'M',
    default: 'GET',
    help: 'request method',
    parse: (text: string, name: string) => methodRule(name, text),
  }),
  headers: {
    ...setting.list({
      flag: 'header',
      short: 'H',
      placeholder: "'K: V'",
      help: 'request header, repeatable',
    }),
    parse: (text: string, name: string) => headerRule(name, text),
  },
  body: setting.text({ flag: 'body', placeholder: 'S', help: 'request body' }),
  bodyFile: setting.text({
    flag: 'body-file',
    placeholder: 'F',
    help: 'request body read from file F',
  }),
  json: setting.switch({ flag: 'json', help: 'print one JSON object instead of the text summary' }),
};

export const USAGE = usageText(SETTINGS, {
  usage: 'bench -url URL [options]\n       bench compare A B [--json]',
  about:
    'Drives an HTTP/1.1 server with keep-alive connections and reports throughput and latency. ' +
    'Flags take one dash or two (-url or --url). "bench compare A B" sets every figure of two ' +
    'saved outputs (text or JSON) side by side.',
  singleDash: true,
});

const usageError = (message: string): BenchError => new BenchError('BENCH_USAGE', message);

function requestBody(values: SettingValues<typeof SETTINGS>): Buffer | undefined {
  const { body, bodyFile } = values;
  if (body !== undefined && bodyFile !== undefined) {
    throw usageError('-body and -body-file cannot be used together');
  }
  if (bodyFile === undefined) return body === undefined ? undefined : Buffer.from(body);
  try {
    return readFileSync(bodyFile);
  } catch (err) {
    throw usageError(`-body-file: cannot read ${bodyFile}: ${(err as Error).message}`);
  }
}

export function parseCommand(argv: readonly string[]): Command {
  const { values, positionals, help } = parseSettings(SETTINGS, argv, {
    usageError,
    singleDash: true,
    positionals: true,
    env: {},
  });
  if (help) return { kind: 'help' };

  if (positionals[0] === 'compare') {
    const [, a, b, ...rest] = positionals;
    if (a === undefined || b === undefined || rest.length > 0) {
      throw usageError('compare takes exactly two files: bench compare A B [--json]');
    }
    return { kind: 'compare', files: [a, b], json: values.json };
  }
  if (positionals.length > 0) {
    throw usageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  }
  return {
    kind: 'run',
    json: values.json,
    load: {
      url: values.url,
      conns: values.conns,
      durationMs: values.dur ?? (values.requests === undefined ? 10_000 : Infinity),
      rate: values.rate,
      requests: values.requests,
      timeoutMs: values.timeout,
      method: values.method,
      headers: values.headers,
      body: requestBody(values),
    },
  };
}
