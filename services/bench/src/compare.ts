import { BenchError } from './errors.js';
import { LATENCY_FIGURES } from './latency.js';
import { TEXT_LABELS } from './summary.js';

/** Every numeric figure of a run, by a flat name such as `latency_ms.p99`. */
export type Figures = Map<string, number>;

function flatten(value: unknown, prefix: string, into: Figures): void {
  if (typeof value === 'number') {
    into.set(prefix, value);
  } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    // An array is a curve (latency_distribution), which the text summary does not hold.
    for (const [key, inner] of Object.entries(value)) {
      flatten(inner, prefix === '' ? key : `${prefix}.${key}`, into);
    }
  }
}

const TEXT_SECTIONS: Record<string, string> = {
  errors: 'error_kinds',
  latency_ms: 'latency_ms',
  latency_from_send_ms: 'latency_from_send_ms',
  schedule_lag_ms: 'schedule_lag_ms',
  cpu_s: 'cpu_s',
  requests: 'status',
};
const TEXT_KEYS = Object.fromEntries(
  Object.entries(TEXT_LABELS).map(([key, label]) => [label, key]),
);

/** Reads the text summary back into the names its JSON form uses. */
function parseText(text: string): Figures {
  const figures: Figures = new Map();
  let section = '';
  for (const line of text.split('\n')) {
    const indented = line.startsWith('  ');
    const words = line.trim().split(/\s+/);
    const value = Number(words[words.length - 1]);
    if (!indented) section = TEXT_SECTIONS[words[0] ?? ''] ?? '';
    if (words.length !== (indented && words[0] === 'status' ? 3 : 2)) continue;
    if (!Number.isFinite(value)) continue;
    const name = words
      .slice(0, -1)
      .join(' ')
      .replace(/^status /, '');
    const key = TEXT_KEYS[name] ?? name;
    figures.set(indented && section !== '' ? `${section}.${key}` : key, value);
  }
  return figures;
}

/** Reads a saved `bench` output, JSON or text; names the file when it is neither. */
export function parseFigures(text: string, source: string): Figures {
  const figures: Figures = new Map();
  if (text.trimStart().startsWith('{')) {
    try {
      flatten(JSON.parse(text), '', figures);
    } catch (err) {
      throw new BenchError(
        'BENCH_COMPARE_INPUT',
        `${source}: invalid JSON: ${(err as Error).message}`,
      );
    }
  } else {
    for (const [key, value] of parseText(text)) figures.set(key, value);
  }
  if (!figures.has('requests') || !figures.has('rps')) {
    throw new BenchError(
      'BENCH_COMPARE_INPUT',
      `${source}: not a bench output (no requests and rps figures)`,
    );
  }
  return figures;
}

export interface ComparedFigure {
  name: string;
  a: number | null;
  b: number | null;
  delta: number | null;
  /** b / a; null where a is 0 or either side lacks the figure. */
  ratio: number | null;
}

const ORDER = [
  'requests',
  'errors',
  'duration_s',
  'rps',
  'bytes',
  'bytes_per_s',
  ...LATENCY_FIGURES.map((key) => `latency_ms.${key}`),
  ...LATENCY_FIGURES.map((key) => `latency_from_send_ms.${key}`),
  ...LATENCY_FIGURES.map((key) => `schedule_lag_ms.${key}`),
];

function rank(name: string): number {
  const index = ORDER.indexOf(name);
  return index < 0 ? ORDER.length : index;
}

export function compareFigures(a: Figures, b: Figures): ComparedFigure[] {
  const names = [...new Set([...a.keys(), ...b.keys()])];
  names.sort((x, y) => rank(x) - rank(y) || x.localeCompare(y));
  return names.map((name) => {
    const va = a.get(name) ?? null;
    const vb = b.get(name) ?? null;
    const both = va !== null && vb !== null;
    return {
      name,
      a: va,
      b: vb,
      delta: both ? vb - va : null,
      ratio: both && va !== 0 ? vb / va : null,
    };
  });
}

function show(value: number | null, digits = 3): string {
  if (value === null) return '-';
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

export function formatComparison(rows: ComparedFigure[], labels: [string, string]): string {
  const table = [
    ['figure', labels[0], labels[1], 'delta', 'ratio'],
    ...rows.map((row) => [
      row.name,
      show(row.a),
      show(row.b),
      row.delta === null ? '-' : (row.delta > 0 ? '+' : '') + show(row.delta),
      show(row.ratio),
    ]),
  ];
  const widths = table[0]?.map((_, column) =>
    Math.max(...table.map((r) => r[column]?.length ?? 0)),
  );
  return (
    table
      .map((row) =>
        row
          .map((cell, column) =>
            column === 0
              ? cell.padEnd(widths?.[column] ?? 0)
              : cell.padStart(widths?.[column] ?? 0),
          )
          .join('  '),
      )
      .join('\n') + '\n'
  );
}
