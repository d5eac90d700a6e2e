/**
 * One sample of a Prometheus text exposition (format 0.0.4): a line such as
 * `http_requests_total{method="post",code="200"} 1027 1395066363000`.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** Milliseconds since the epoch, when the line carries one. */
  timestampMs?: number;
}

const METRIC_NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const SPACE = /[ \t]*/y;
const ESCAPED: Record<string, string> = { '\\': '\\', '"': '"', n: '\n' };

/** Reads one line, left to right; every read fails naming the line and what it expected. */
class LineReader {
  private at = 0;

  constructor(
    private readonly line: string,
    private readonly lineNumber: number,
  ) {}

  fail(expected: string): never {
    throw new Error(
      `line ${this.lineNumber} of the exposition: expected ${expected} at column ${this.at + 1}: ${this.line}`,
    );
  }

  token(pattern: RegExp, what: string): string {
    pattern.lastIndex = this.at;
    const match = pattern.exec(this.line);
    if (match === null || match[0] === '') this.fail(what);
    this.at = pattern.lastIndex;
    return match[0];
  }

  skipSpace(): void {
    SPACE.lastIndex = this.at;
    SPACE.exec(this.line);
    this.at = SPACE.lastIndex;
  }

  /** Takes `char` if it comes next. */
  take(char: string): boolean {
    if (this.line[this.at] !== char) return false;
    this.at += 1;
    return true;
  }

  /** A label value after its opening quote, up to the closing one, with its escapes undone. */
  quoted(): string {
    let value = '';
    for (;;) {
      const char = this.line[this.at];
      this.at += 1;
      if (char === undefined) this.fail('a closing quote');
      if (char === '"') return value;
      if (char !== '\\') {
        value += char;
        continue;
      }
      const escaped = ESCAPED[this.line[this.at] ?? ''];
      if (escaped === undefined) this.fail('\\\\, \\" or \\n after a backslash');
      value += escaped;
      this.at += 1;
    }
  }

  labels(): Record<string, string> {
    const labels: Record<string, string> = {};
    this.skipSpace();
    while (!this.take('}')) {
      const name = this.token(LABEL_NAME, 'a label name or }');
      this.skipSpace();
      if (!this.take('=')) this.fail('=');
      this.skipSpace();
      if (!this.take('"')) this.fail('a quoted label value');
      labels[name] = this.quoted();
      this.skipSpace();
      // A trailing comma before } is allowed.
      if (this.take(',')) this.skipSpace();
      else if (this.line[this.at] !== '}') this.fail(', or }');
    }
    return labels;
  }

  /** What is left of the line, split at blanks. */
  rest(): string[] {
    return this.line
      .slice(this.at)
      .trim()
      .split(/[ \t]+/)
      .filter((word) => word !== '');
  }
}

/** A sample's value as Go's ParseFloat reads it: NaN and ±Inf included. */
function valueOf(text: string, reader: LineReader): number {
  if (/^[+-]?inf$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(text)) return NaN;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) reader.fail('a number');
  return value;
}

function sampleOf(line: string, lineNumber: number): Sample {
  const reader = new LineReader(line, lineNumber);
  reader.skipSpace();
  const name = reader.token(METRIC_NAME, 'a metric name');
  const labels = reader.take('{') ? reader.labels() : {};
  const [value = '', timestamp, ...extra] = reader.rest();
  if (extra.length > 0) reader.fail('the end of the line after the timestamp');
  const sample: Sample = { name, labels, value: valueOf(value, reader) };
  if (timestamp !== undefined) {
    if (!/^-?\d+$/.test(timestamp)) reader.fail('a timestamp in milliseconds');
    sample.timestampMs = Number(timestamp);
  }
  return sample;
}

/**
 * Every sample of a Prometheus text exposition, in order. `# HELP`, `# TYPE`, other comments
 * and blank lines carry no sample. A line that is none of these fails the parse, naming it: a
 * count read from a text it misunderstood would be silently wrong.
 */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  text.split('\n').forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    samples.push(sampleOf(line, index + 1));
  });
  return samples;
}
