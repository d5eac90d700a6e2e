import { BenchError } from './errors.js';

/**
 * An HTTP/1.1 response parser for the load generator's hot path: it frames responses
 * on a keep-alive stream (Content-Length, chunked, or until close) and reports each
 * response's status code, without building header objects or copying bodies.
 */

const malformed = (message: string): BenchError =>
  new BenchError('BENCH_MALFORMED_RESPONSE', message);

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
/** Longest status line plus headers accepted; wrk's http_parser allows 80 KiB. */
const MAX_HEAD_BYTES = 80 * 1024;
const MAX_LINE_BYTES = 4 * 1024;

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'close';

export interface ParsedHead {
  status: number;
  contentLength: number | undefined;
  chunked: boolean;
  keepAlive: boolean;
}

/** Parses a response head (status line and headers, without the final blank line). */
export function parseHead(head: string): ParsedHead {
  const match = /^HTTP\/1\.([01]) (\d{3})(?: |\r|$)/.exec(head);
  if (!match) {
    throw malformed(`malformed status line ${JSON.stringify(head.slice(0, 40))}`);
  }
  let contentLength: number | undefined;
  let chunked = false;
  let keepAlive = match[1] === '1';
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed(`malformed header line ${JSON.stringify(line)}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line
      .slice(colon + 1)
      .trim()
      .toLowerCase();
    if (name === 'content-length') {
      if (!/^\d+$/.test(value)) throw malformed(`bad content-length ${value}`);
      contentLength = Number(value);
    } else if (name === 'transfer-encoding') {
      chunked = value.split(',').some((coding) => coding.trim() === 'chunked');
    } else if (name === 'connection') {
      if (value.includes('close')) keepAlive = false;
      else if (value.includes('keep-alive')) keepAlive = true;
    }
  }
  return { status: Number(match[2]), contentLength, chunked, keepAlive };
}

export class ResponseParser {
  private state: State = 'head';
  /** Bytes of an unfinished head or line carried over from the previous chunk. */
  private carry: Buffer | undefined;
  private remaining = 0;
  private head: ParsedHead | undefined;
  /** Whether the response being parsed answers a HEAD request (no body whatever the headers say). */
  bodyless = false;

  /**
   * @param onResponse called once per complete response with its status code and
   *   whether the server keeps the connection open after it.
   */
  constructor(private readonly onResponse: (status: number, keepAlive: boolean) => void) {}

  /** Whether a response has started and not finished. */
  get midResponse(): boolean {
    return this.state !== 'head' || this.carry !== undefined;
  }

  execute(chunk: Buffer): void {
    let data = chunk;
    let offset = 0;
    if (this.carry) {
      data = Buffer.concat([this.carry, chunk]);
      this.carry = undefined;
    }
    while (offset < data.length) {
      switch (this.state) {
        case 'head': {
          const end = data.indexOf(HEAD_END, offset);
          if (end < 0) {
            this.keep(data, offset, MAX_HEAD_BYTES, 'response head');
            return;
          }
          this.startBody(parseHead(data.toString('latin1', offset, end)));
          offset = end + HEAD_END.length;
          break;
        }
        case 'length':
        case 'chunk-data':
        case 'chunk-end': {
          const take = Math.min(this.remaining, data.length - offset);
          this.remaining -= take;
          offset += take;
          if (this.remaining === 0) this.skipped();
          break;
        }
        case 'chunk-size': {
          const end = data.indexOf(CRLF, offset);
          if (end < 0) {
            this.keep(data, offset, MAX_LINE_BYTES, 'chunk size line');
            return;
          }
          const sizeText = data.toString('latin1', offset, end).split(';')[0]?.trim() ?? '';
          if (!/^[0-9a-fA-F]+$/.test(sizeText)) {
            throw malformed(`bad chunk size ${JSON.stringify(sizeText)}`);
          }
          this.remaining = parseInt(sizeText, 16);
          this.state = this.remaining === 0 ? 'trailers' : 'chunk-data';
          offset = end + CRLF.length;
          break;
        }
        case 'trailers': {
          const end = data.indexOf(CRLF, offset);
          if (end < 0) {
            this.keep(data, offset, MAX_HEAD_BYTES, 'trailer');
            return;
          }
          const blank = end === offset;
          offset = end + CRLF.length;
          if (blank) this.complete();
          break;
        }
        case 'close':
          return;
      }
    }
  }

  /** The peer closed the stream: completes a response delimited by the close. */
  end(): void {
    if (this.state === 'close') this.complete();
  }

  /** A run of body bytes counted by `remaining` has been passed over. */
  private skipped(): void {
    if (this.state === 'length') {
      this.complete();
    } else if (this.state === 'chunk-data') {
      this.state = 'chunk-end';
      this.remaining = CRLF.length;
    } else {
      this.state = 'chunk-size';
    }
  }

  private keep(data: Buffer, offset: number, limit: number, what: string): void {
    if (data.length - offset > limit) {
      throw malformed(`${what} longer than ${limit} bytes`);
    }
    this.carry = data.subarray(offset);
  }

  private startBody(head: ParsedHead): void {
    this.head = head;
    const noBody = this.bodyless || head.status === 204 || head.status === 304 || head.status < 200;
    if (noBody) {
      this.complete();
    } else if (head.chunked) {
      this.state = 'chunk-size';
    } else if (head.contentLength !== undefined) {
      this.remaining = head.contentLength;
      if (this.remaining === 0) this.complete();
      else this.state = 'length';
    } else {
      this.state = 'close';
    }
  }

  private complete(): void {
    const head = this.head;
    this.state = 'head';
    this.head = undefined;
    if (head && head.status >= 200) this.onResponse(head.status, head.keepAlive);
  }
}
