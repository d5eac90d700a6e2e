import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ResponseParser } from './response-parser.js';
import { CellState, type SendBoard } from './send-board.js';
import { onBeforeClose, socketFd } from './socket-fd.js';

export type FailureKind = 'connect' | 'read' | 'timeout';

export interface ConnectionEvents {
  /** Connected and idle: ready for a request. */
  ready(connection: Connection): void;
  /**
   * A complete response to the request whose latency is measured from `origin` (in the open
   * model its due time), written at `sentAt`.
   */
  response(connection: Connection, status: number, origin: number, sentAt: number): void;
  /** The connection failed and is closed; a request in flight is lost. */
  failed(connection: Connection, kind: FailureKind, reason: string): void;
  /**
   * The server closed the connection with no request in flight (after a `Connection: close`
   * response, or an idle keep-alive one): the owner reopens it while it still issues.
   */
  closed(connection: Connection): void;
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
 * One keep-alive connection carrying at most one request at a time. When the server closes
 * it between requests, or it fails, it says so and the owner decides whether to reopen. In
 * the closed model the main thread sends; in the open model the send worker does, and the
 * connection is handed to it and back through the send board (its state, fd and times there,
 * not here).
 */
export class Connection {
  /** Pending reopen after a failed connect. */
  timer: NodeJS.Timeout | undefined;
  /** Closed model: latency origin of the request in flight; -1 when idle. */
  private origin = -1;
  /** Closed model: when the request in flight was written; -1 when idle. */
  private localSentAt = -1;
  private socket: Socket | undefined;
  private connected = false;
  /** When the pending connect began; -1 when none is pending. */
  private connectStartedAt = -1;
  /** Open model: the socket closed under a request in flight, which the board no longer shows. */
  private lostInFlight = false;
  private parser: ResponseParser;

  constructor(
    readonly index: number,
    private readonly target: Target,
    private readonly events: ConnectionEvents,
    private readonly board?: SendBoard,
  ) {
    this.parser = this.newParser();
  }

  get ready(): boolean {
    return this.connected && !this.busy;
  }

  get busy(): boolean {
    return this.board === undefined ? this.origin >= 0 : this.board.inFlight(this.index);
  }

  /** When the pending connect began, to time it out (a listener may not accept); else -1. */
  get connectingSince(): number {
    return this.connectStartedAt;
  }

  /** When the request in flight was written; -1 when none is. */
  get sentAt(): number {
    return this.board === undefined ? this.localSentAt : this.board.sentAt(this.index);
  }

  open(): void {
    this.parser = this.newParser();
    this.connected = false;
    this.lostInFlight = false;
    this.connectStartedAt = performance.now();
    const socket = connect({ host: this.target.host, port: this.target.port });
    this.socket = socket;
    let lastError: Error | undefined;
    socket.setNoDelay(true);
    const board = this.board;
    if (board !== undefined) {
      onBeforeClose(socket, () => {
        if (this.socket === socket) this.lostInFlight = board.retire(this.index);
      });
    }
    socket.on('connect', () => {
      this.connected = true;
      this.connectStartedAt = -1;
      if (board !== undefined) {
        const fd = socketFd(socket);
        if (fd < 0) {
          this.fail('connect', "the open model needs the socket's fd, which Node gives on Linux");
          return;
        }
        board.publish(this.index, fd);
      }
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
      } else if (this.busy || this.lostInFlight || this.parser.midResponse) {
        this.fail('read', lastError?.message ?? 'server closed the connection before responding');
      } else {
        this.close();
        this.events.closed(this);
      }
    });
  }

  /** Closed model: sends the request, its latency measured from `origin`. */
  send(origin: number): void {
    this.origin = origin;
    this.localSentAt = performance.now();
    this.socket?.write(this.target.request);
  }

  /** Open model: the send worker could not write the request; failed unless already closed. */
  writeFailed(reason: string): void {
    if (this.board?.state(this.index) === CellState.failed) this.fail('read', reason);
  }

  /** Gives up on the request in flight, closes the socket and reports the failure. */
  fail(kind: FailureKind, reason: string): void {
    this.close();
    this.events.failed(this, kind, reason);
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.board?.retire(this.index);
    this.origin = -1;
    this.localSentAt = -1;
    this.connected = false;
    this.connectStartedAt = -1;
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
  }

  private newParser(): ResponseParser {
    const parser = new ResponseParser((status, keepAlive) => {
      const origin = this.board === undefined ? this.origin : this.board.settle(this.index);
      const sentAt = this.sentAt;
      this.origin = -1;
      this.localSentAt = -1;
      if (keepAlive) {
        this.board?.release(this.index);
      } else {
        this.close();
      }
      this.events.response(this, status, origin, sentAt);
      if (!keepAlive) this.events.closed(this);
    });
    parser.bodyless = this.target.bodyless;
    return parser;
  }
}
