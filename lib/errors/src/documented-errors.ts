import type { Catalogue } from './coded-error.js';

/**
 * The error codes a document lists, with their exit codes: its table rows that begin
 * `| \`PREFIX_...\` | exit |` (the docs' `| code | exit | when |` tables), for the test that
 * keeps each catalogue and its documentation equal.
 */
export function documentedErrors(markdown: string, prefix: string): Record<string, number> {
  const row = new RegExp(`^\\| \`(${prefix}_[A-Z0-9_]+)\` *\\| *(\\d+) *\\|`, 'gm');
  return Object.fromEntries([...markdown.matchAll(row)].map((m) => [m[1] ?? '', Number(m[2])]));
}

/** A catalogue's codes with their exit codes, as documentedErrors reads them from the docs. */
export function exitCodes(catalogue: Catalogue): Record<string, number> {
  return Object.fromEntries(Object.entries(catalogue).map(([code, spec]) => [code, spec.exitCode]));
}
