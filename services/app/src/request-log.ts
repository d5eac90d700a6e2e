import SonicBoom from 'sonic-boom';

export interface RequestLogRecord {
  method: string;
  route: string;
  status: number;
  /** Bytes the response put on the socket: status line, headers and body. */
  bytes: number;
  durationMs: number;
}

/**
 * One JSON line per request, appended asynchronously (sonic-boom buffers and writes
 * off the request path). For a tailer across rotation: move the file away, then send
 * SIGHUP; the log reopens its path and the tailer sees a new file.
 */
export class RequestLog {
  private readonly stream: SonicBoom.SonicBoom;

  constructor(file: string) {
    this.stream = new SonicBoom.SonicBoom({ dest: file, append: true, mkdir: true, sync: false });
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
