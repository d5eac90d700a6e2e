/**
 * One live line on a terminal saying what the comparison is doing and for how long; nothing
 * when the stream is not a TTY, so a piped or saved output holds only the results.
 */
export class StatusLine {
  private text = '';
  private since = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  get enabled(): boolean {
    return this.stream.isTTY;
  }

  set(text: string): void {
    if (!this.enabled) return;
    this.text = text;
    this.since = Date.now();
    this.draw();
    this.timer ??= setInterval(() => {
      this.draw();
    }, 1000);
  }

  /** Prints `line` above the live line, which goes on. */
  print(line: string): void {
    if (this.enabled) this.stream.write('\r\x1b[2K');
    this.stream.write(`${line}\n`);
    if (this.timer !== undefined) this.draw();
  }

  clear(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.enabled && this.text !== '') this.stream.write('\r\x1b[2K');
    this.text = '';
  }

  private draw(): void {
    const seconds = Math.floor((Date.now() - this.since) / 1000);
    const line = `  ${this.text} (${seconds} s)`;
    // A line longer than the terminal wraps, and \r then redraws only its last row.
    const width = (this.stream.columns || 80) - 1;
    const shown = line.length > width ? `${line.slice(0, width - 1)}…` : line;
    this.stream.write(`\r\x1b[2K${shown}`);
  }
}
