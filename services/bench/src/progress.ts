import type { Progress } from './load-result.js';

/**
 * A live progress line on a terminal; nothing at all when the stream is not a TTY, so
 * saved and piped outputs hold only the summary.
 */
export class ProgressLine {
  private shown = false;
  private lastRequests = 0;
  private lastElapsedMs = 0;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  get enabled(): boolean {
    return this.stream.isTTY;
  }

  update(progress: Progress): void {
    if (!this.enabled) return;
    const rate =
      ((progress.requests - this.lastRequests) * 1000) /
      Math.max(1, progress.elapsedMs - this.lastElapsedMs);
    this.lastRequests = progress.requests;
    this.lastElapsedMs = progress.elapsedMs;
    const elapsed = (progress.elapsedMs / 1000).toFixed(0);
    const total = Number.isFinite(progress.durationMs)
      ? `/${(progress.durationMs / 1000).toFixed(0)}s`
      : 's';
    this.stream.write(
      `\r\x1b[2K  ${elapsed}${total}  ${progress.requests} responses  ${rate.toFixed(0)} req/s  ${progress.errors} errors`,
    );
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}
