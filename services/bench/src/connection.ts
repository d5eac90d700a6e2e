import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ResponseParser } from './response-parser.js';

export type FailureKind = 'connect' | 'read' | 'timeout';

export interface ConnectionEvents {
  /** Connected and idle: ready for a request. */
  ready(connection: Connection): void;
  /** A complete response to the request sent at `origin` (its latency origin). */
  response(connection: Connection, status: number, origin: number): void;
  /** The connection failed and is closed; a request in flight is lost. */
  failed(connection: Connection, kind: FailureKind, reason: string): void;
  /** Bytes read from the server, headers included. */
  received(bytes: number): void;
}

export interface Target {
  host: string;
  port: number;
  /** The whole request, serialized once and written as is for every request. */
  request: Buffer;
  /** HEAD requests get responses without bodies whatever their headers say. */
  bodyless: boolean;
}

/**
 * One keep-alive connection carrying at most one request at a time. It reopens by
 * itself when the server closes it between requests; failures are reported and the
 * owner decides whether to reopen.
 */
export class Connection {
  /** Latency origin of the request in flight (its intended send time); -1 when idle. */
  origin = -1;
  /** When the request in flight was written; -1 when idle. */
  sentAt = -1;
  /** Pending reopen after a failed connect. */
  timer: NodeJS.Timeout | undefined;
  private socket: Socket | undefined;
  private connected = false;
  private parser: ResponseParser;

  constructor(
    readonly index: number,
    private readonly target: Target,
    private readonly events: ConnectionEvents,
  ) {
    this.parser = this.newParser();
  }

  get ready(): boolean {
    return this.connected && this.origin < 0;
  }

  get busy(): boolean {
    return this.origin >= 0;
  }

  open(): void {
    this.parser = this.newParser();
    this.connected = false;
    const socket = connect({ host: this.target.host, port: this.target.port });
    this.socket = socket;
    let lastError: Error | undefined;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      this.connected = true;
      this.events.ready(this);
    });
    socket.on('data', (chunk: Buffer) => {
      this.events.received(chunk.length);
      try {
        this.parser.execute(chunk);
      } catch (err) {
        this.fail('read', (err as Error).message);
      }
    });
    socket.on('end', () => {
      this.parser.end();
    });
    socket.on('error', (err) => {
      lastError = err;
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (!this.connected) {
        this.fail('connect', lastError?.message ?? 'connection closed while connecting');
      } else if (this.busy || this.parser.midResponse) {
        this.fail('read', lastError?.message ?? 'server closed the connection before responding');
      } else {
        this.open();
      }
    });
  }

  send(origin: number): void {
    this.origin = origin;
    this.sentAt = performance.now();
    this.socket?.write(this.target.request);
  }

  /** Gives up on the request in flight, closes the socket and reports the failure. */
  fail(kind: FailureKind, reason: string): void {
    this.close();
    this.events.failed(this, kind, reason);
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.origin = -1;
    this.sentAt = -1;
    this.connected = false;
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
  }

  private newParser(): ResponseParser {
    const parser = new ResponseParser((status, keepAlive) => {
      const origin = this.origin;
      this.origin = -1;
      this.sentAt = -1;
      if (!keepAlive) {
        this.close();
        this.open();
      }
      this.events.response(this, status, origin);
    });
    parser.bodyless = this.target.bodyless;
    return parser;
  }
}
