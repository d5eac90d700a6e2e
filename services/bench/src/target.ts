import { connect } from 'node:net';
import { BenchError } from './errors.js';
import type { RequestSpec } from './load-options.js';

/** The request every connection writes, serialized once. */
export function serializeRequest(spec: RequestSpec): Buffer {
  const { url, method, headers, body } = spec;
  const lines = [`${method} ${url.pathname}${url.search} HTTP/1.1`];
  const names = new Set(headers.map(([name]) => name.toLowerCase()));
  if (!names.has('host')) lines.push(`Host: ${url.host}`);
  for (const [name, value] of headers) lines.push(`${name}: ${value}`);
  if (body !== undefined && !names.has('content-length')) {
    lines.push(`Content-Length: ${body.length}`);
  }
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return body === undefined ? head : Buffer.concat([head, body]);
}

export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

export function portOf(url: URL): number {
  return url.port === '' ? 80 : Number(url.port);
}

/** Fails fast, with the system's reason, when the target cannot be reached at all. */
export function checkReachable(url: URL, timeoutMs: number): Promise<void> {
  const address = `${url.hostname}:${portOf(url)}`;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostOf(url), port: portOf(url), timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(
        new BenchError(
          'BENCH_UNREACHABLE',
          `cannot connect to ${address}: no answer within ${timeoutMs} ms`,
        ),
      );
    });
    socket.once('error', (err) => {
      reject(
        new BenchError('BENCH_UNREACHABLE', `cannot connect to ${address}: ${err.message}`, {
          cause: err,
        }),
      );
    });
  });
}
