import { writeFile } from 'node:fs/promises';
import { EXIT, runMain } from '@obscost/errors';
import { parseSettings, usageText } from '@obscost/flags';
import { formatComparison } from './compare.js';
import { ReportError } from './errors.js';
import { renderHtml } from './html.js';
import { formatTable } from './table.js';
import { readReport } from './validate.js';

const USAGE = usageText(
  {},
  {
    usage: 'npm run report -- show A.json | html A.json [OUT.html] | compare A.json B.json',
    about:
      'Reads reports the comparison (npm start) wrote. "show" prints the terminal table of a ' +
      'report; "html" draws its page again, to OUT.html or beside it (A.html); "compare" sets ' +
      'two reports side by side, scenario by scenario, with B/A. Each report is checked ' +
      'against services/report/report.schema.json first. How to read them: docs/report.md.',
  },
).trimEnd();

/** What the command line asks for. */
type ReportCommand =
  | { kind: 'help' }
  | { kind: 'show'; file: string }
  | { kind: 'html'; file: string; out: string }
  | { kind: 'compare'; files: [string, string] };

const usageError = (message: string): ReportError => new ReportError('REPORT_USAGE', message);

/** The page beside its report: report.json -> report.html. */
function htmlFileFor(jsonFile: string): string {
  return jsonFile.endsWith('.json')
    ? `${jsonFile.slice(0, -'.json'.length)}.html`
    : `${jsonFile}.html`;
}

/** The command, or a REPORT_USAGE error saying what is wrong with the arguments. */
function parseReportCommand(argv: readonly string[]): ReportCommand {
  const { positionals, help } = parseSettings({}, argv, {
    env: {},
    positionals: true,
    usageError,
  });
  if (help) return { kind: 'help' };
  const [command, ...files] = positionals;
  const [first, second, ...extra] = files;
  switch (command) {
    case undefined:
      throw usageError('which command: show, html or compare?');
    case 'show':
      if (first === undefined || second !== undefined) {
        throw usageError('show takes one report: show A.json');
      }
      return { kind: 'show', file: first };
    case 'html':
      if (first === undefined || extra.length > 0) {
        throw usageError('html takes a report and where to write its page: html A.json [OUT.html]');
      }
      return { kind: 'html', file: first, out: second ?? htmlFileFor(first) };
    case 'compare':
      if (first === undefined || second === undefined || extra.length > 0) {
        throw usageError('compare takes two reports: compare A.json B.json');
      }
      return { kind: 'compare', files: [first, second] };
    default:
      throw usageError(`unknown command "${command}": show, html or compare`);
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const command = parseReportCommand(argv);
  switch (command.kind) {
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      break;
    case 'show':
      process.stdout.write(formatTable(readReport(command.file)));
      break;
    case 'html':
      await writeFile(command.out, renderHtml(readReport(command.file)));
      process.stderr.write(`report: ${command.out}\n`);
      break;
    case 'compare': {
      const [a, b] = command.files;
      process.stdout.write(formatComparison(readReport(a), readReport(b), command.files));
      break;
    }
  }
  return EXIT.ok;
}

// After a usage error the whole usage follows, as the main job's does.
runMain('report', () => main(process.argv.slice(2)), { usageHint: USAGE });
