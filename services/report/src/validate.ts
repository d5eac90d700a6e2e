import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { ReportError } from './errors.js';
import type { Report } from './report.js';

/** The report's JSON Schema: report.ts as JSON, the authority for anything that reads report.json. */
export const REPORT_SCHEMA_FILE = path.resolve(import.meta.dirname, '../../report.schema.json');

let compiled: ValidateFunction<Report> | undefined;

function validator(): ValidateFunction<Report> {
  // Strict: a keyword the schema misspells is an error here, not a check silently skipped.
  // Union types only for an interval's ends, a number or null.
  compiled ??= new Ajv2020({ strict: true, allowUnionTypes: true }).compile<Report>(
    JSON.parse(readFileSync(REPORT_SCHEMA_FILE, 'utf8')) as object,
  );
  return compiled;
}

/**
 * A JSON pointer as the report's figures are named elsewhere (the HTML's data-field):
 * `/scenarios/1/rps` is `scenarios[1].rps`.
 */
export function fieldPath(pointer: string): string {
  const segments = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  return segments.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** One problem in words: where, what, and the value the schema allows when it says. */
function problemOf(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'the report' : fieldPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  let detail = '';
  if (typeof params['additionalProperty'] === 'string') {
    detail = ` (${JSON.stringify(params['additionalProperty'])})`;
  } else if (Array.isArray(params['allowedValues'])) {
    detail = ` (${params['allowedValues'].map((v) => JSON.stringify(v)).join(', ')})`;
  } else if ('allowedValue' in params) {
    detail = ` (${JSON.stringify(params['allowedValue'])})`;
  }
  return `${where}: ${error.message ?? 'is invalid'}${detail}`;
}

/** `value` as a Report, or a REPORT_INVALID error naming `source` and the first problem. */
export function validateReport(value: unknown, source = 'the report'): Report {
  const validate = validator();
  if (validate(value)) return value;
  const [first] = validate.errors ?? [];
  const problem = first === undefined ? 'does not match report.schema.json' : problemOf(first);
  throw new ReportError('REPORT_INVALID', `${source} is not a valid report: ${problem}`);
}

/** The report in `file`, validated; any reason it cannot be is a REPORT_INVALID error. */
export function readReport(file: string): Report {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ReportError('REPORT_INVALID', `cannot read ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ReportError('REPORT_INVALID', `${file} is not JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return validateReport(value, file);
}
