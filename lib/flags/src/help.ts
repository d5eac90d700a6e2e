import { flagName, type Setting, type SettingsTable } from './settings.js';

/*
 * What a settings table says to people: the --help text and the documentation's option
 * table, both made from the table itself so that neither can drift from the parser.
 */

function documentedDefault(s: Setting<unknown>): string {
  if (s.defaultDoc !== undefined) return s.defaultDoc;
  return typeof s.default === 'string' ? s.default : '';
}

function synopsis(s: Setting<unknown>, singleDash: boolean): string {
  if (s.flag === undefined) return s.env ?? '';
  const short = s.short === undefined ? '' : `-${s.short}, `;
  const value = s.kind === 'switch' ? '' : ` ${s.placeholder ?? 'VALUE'}`;
  return `${short}${flagName(s.flag, singleDash)}${value}`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/**
 * The --help text: the usage line, what the command does, then one entry per setting with
 * its default and environment variable, in the table's order.
 */
export function usageText(
  table: SettingsTable,
  { usage, about, singleDash = false }: { usage: string; about: string; singleDash?: boolean },
): string {
  const column = 26;
  const entries = Object.values(table).map((s) => {
    const notes = [
      documentedDefault(s) === '' ? '' : `default ${documentedDefault(s)}`,
      s.env === undefined || s.flag === undefined ? '' : `or ${s.env}`,
    ].filter((n) => n !== '');
    const help = notes.length === 0 ? s.help : `${s.help} (${notes.join(', ')})`;
    const [first = '', ...rest] = wrap(help, 96 - column);
    const head = `  ${synopsis(s, singleDash)}`;
    const lines =
      head.length < column
        ? [`${head.padEnd(column)}${first}`]
        : [head, `${' '.repeat(column)}${first}`];
    return [...lines, ...rest.map((l) => `${' '.repeat(column)}${l}`)].join('\n');
  });
  return [`usage: ${usage}`, '', ...wrap(about, 94), '', ...entries].join('\n');
}

const escapeCell = (text: string): string => text.replaceAll('|', '\\|');
const code = (text: string): string => (text === '' ? '' : `\`${text}\``);

/**
 * The documentation's option table, as rows of cells (the first row is the header): a test
 * compares it with the table in the service's page under docs/.
 */
export function docRows(table: SettingsTable, singleDash = false): string[][] {
  const flags = Object.values(table).some((s) => s.flag !== undefined);
  const rows = Object.values(table).map((s) => {
    const cells = [
      code(synopsis(s, singleDash)),
      code(s.flag === undefined ? '' : (s.env ?? '')),
      code(documentedDefault(s)),
      s.help,
    ].map(escapeCell);
    return flags ? cells : [cells[0] ?? '', cells[2] ?? '', cells[3] ?? ''];
  });
  return [
    flags ? ['flag', 'environment', 'default', 'meaning'] : ['variable', 'default', 'meaning'],
    ...rows,
  ];
}

/** The rows of the first Markdown table in `markdown` whose header row is `header`. */
export function markdownTableRows(markdown: string, header: readonly string[]): string[][] {
  const cellsOf = (line: string): string[] =>
    line
      .trim()
      .replace(/^\||\|$/g, '')
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim());
  const lines = markdown.split('\n');
  const start = lines.findIndex(
    (line) => line.trim().startsWith('|') && cellsOf(line).join('|') === header.join('|'),
  );
  if (start < 0) return [];
  const rows = [cellsOf(lines[start] ?? '')];
  for (const line of lines.slice(start + 2)) {
    if (!line.trim().startsWith('|')) break;
    rows.push(cellsOf(line));
  }
  return rows;
}
