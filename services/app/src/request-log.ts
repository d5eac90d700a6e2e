import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import SonicBoom from 'sonic-boom';
import { describeFailure } from '@obscost/errors';
import { AppError } from './errors.js';

export interface RequestLogRecord {
  method: string;
  route: string;
  status: number;
  /** Bytes the response put on the socket: status line, headers and body. */
  bytes: number;
  durationMs: number;
}

/**
 * Lines held in memory while the file cannot be written (a full disk), written once it can;
 * past this many bytes waiting, new lines are dropped and counted.
 */
export const LOG_BUFFER_BYTES = 16 * 1024 * 1024;

/**
 * One JSON line per request, appended asynchronously (sonic-boom buffers and writes
 * off the request path). For a tailer across rotation: move the file away, then send
 * SIGHUP; the log reopens its path and the tailer sees a new file.
 *
 * A file that cannot be opened at start is an error (APP_LOG). One that fails later never
 * touches request handling: failed writes are counted, the first is told to `onError`, and the
 * lines wait (up to LOG_BUFFER_BYTES) to be written with the next line once the file takes them.
 */
export class RequestLog {
  private readonly stream: SonicBoom.SonicBoom;
  /** Writes to the file that failed. */
  writeErrors = 0;
  /** Lines dropped because LOG_BUFFER_BYTES were already waiting. */
  droppedLines = 0;

  constructor(file: string, onError: (err: Error) => void) {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      closeSync(openSync(file, 'a'));
    } catch (err) {
      throw new AppError(
        'APP_LOG',
        `cannot open the request log ${file}: ${describeFailure(err).line}`,
        {
          cause: err,
        },
      );
    }
    this.stream = new SonicBoom.SonicBoom({
      dest: file,
      append: true,
      mkdir: true,
      sync: false,
      maxLength: LOG_BUFFER_BYTES,
    });
    this.stream.on('drop', () => {
      this.droppedLines += 1;
    });
    this.stream.on('error', (err: Error) => {
      this.writeErrors += 1;
      if (this.writeErrors === 1) onError(err);
    });
  }

  write(record: RequestLogRecord): void {
    this.stream.write(
      `{"time":"${new Date().toISOString()}","method":"${record.method}",` +
        `"route":${JSON.stringify(record.route)},"status":${record.status},` +
        `"bytes":${record.bytes},"duration_ms":${record.durationMs.toFixed(3)}}\n`,
    );
  }

  reopen(): void {
    this.stream.reopen();
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stream.once('close', () => {
        resolve();
      });
      this.stream.once('error', reject);
      this.stream.end();
    });
  }
}
