import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scrape's answer: the text and the content type of its format. */
export interface Exposition {
  readonly contentType: string;
  readonly text: string;
}

export interface MetricsServerOptions {
  readonly host: string;
  /** 0 takes a free port; `MetricsServer.port` tells which. */
  readonly port: number;
  /** The exposition, read anew at each scrape. */
  readonly render: () => Promise<Exposition>;
  /** Told of each render that failed, after its 500 is sent: to log or count it. */
  readonly onRenderError?: (err: unknown) => void;
}

export interface MetricsServer {
  /** The port it listens on (the one taken when asked for 0). */
  readonly port: number;
  /** Where Prometheus scrapes it: `http://host:port/metrics`. */
  readonly url: string;
  close(): Promise<void>;
}

const PATH = '/metrics';
const METHODS = ['GET', 'HEAD'];

function plain(response: ServerResponse, status: number, text: string, headers = {}): void {
  response.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(`${text}\n`);
}

/**
 * Answers one request: `/metrics` whatever its query string (Prometheus may add one), GET and
 * HEAD only, anything else a 404 or a 405, and a render that fails a 500 with its reason, so a
 * scrape never reads a partial or empty text as values.
 */
function answer(
  request: IncomingMessage,
  response: ServerResponse,
  options: MetricsServerOptions,
): void {
  const path = (request.url ?? '').split('?', 1)[0];
  if (path !== PATH) {
    plain(response, 404, 'not found');
    return;
  }
  if (!METHODS.includes(request.method ?? '')) {
    plain(response, 405, 'method not allowed', { allow: METHODS.join(', ') });
    return;
  }
  options.render().then(
    ({ contentType, text }) => response.writeHead(200, { 'content-type': contentType }).end(text),
    (err: unknown) => {
      plain(response, 500, String(err));
      options.onRenderError?.(err);
    },
  );
}

/**
 * Serves `/metrics` on `host:port`, listening once this resolves; a port that cannot be taken
 * rejects with the listen error, for the service to wrap in its own.
 */
export function serveMetrics(options: MetricsServerOptions): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    answer(request, response, options);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const { address, port } = server.address() as AddressInfo;
      const host = address.includes(':') ? `[${address}]` : address;
      resolve({
        port,
        url: `http://${host}:${port}${PATH}`,
        close: () =>
          new Promise((closed) => {
            server.close(() => {
              closed();
            });
            server.closeIdleConnections();
          }),
      });
    });
  });
}
