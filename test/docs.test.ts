import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ERRORS as BENCHMARK_ERRORS } from '@obscost/benchmarks/settings';
import { documentedErrors, exitCodes } from '@obscost/errors';
import { ROOT } from '@obscost/infra';

const PAGES = ['README.md', ...readdirSync(path.join(ROOT, 'docs')).map((f) => `docs/${f}`)];
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

/** Repository paths a page names in backticks or links: `services/observer/src/pipeline.ts`. */
function namedPaths(text: string): string[] {
  const found = text.match(
    /(?<=[`(])(?:lib|services|infra|bpf|otel|test|benchmarks|docs|fixtures)\/[\w./-]+\.(?:ts|c|h|bt|sh|yaml|yml|json|md|avsc|xml|properties|Dockerfile|go|mod|mjs)(?=[`):])/g,
  );
  return [...new Set(found ?? [])];
}

test('every file the README and the docs name exists', () => {
  for (const page of PAGES) {
    for (const file of namedPaths(read(page))) {
      // Build outputs and files a reader makes (run.avro) are not in the repository.
      if (file.includes('/build/') || file.includes('/dist/')) continue;
      assert.ok(existsSync(path.join(ROOT, file)), `${page} names ${file}, which does not exist`);
    }
  }
});

test('the path of one event names functions where they are (file:function)', () => {
  const architecture = read('docs/architecture.md');
  const steps = [...architecture.matchAll(/`([\w./-]+\.(?:ts|c)):([\w.]+)`/g)];
  assert.ok(steps.length >= 10, 'docs/architecture.md lists the path of one event');
  for (const [, file = '', name = ''] of steps) {
    const source = read(file);
    const last = name.split('.').at(-1) ?? '';
    assert.match(source, new RegExp(`\\b${last}\\b\\s*[(=:<,]`), `${file} has no ${name}`);
  }
});

test("the benchmarks' error codes are documented with their exit codes", () => {
  assert.deepEqual(
    documentedErrors(read('docs/benchmarks.md'), 'BENCHMARK'),
    exitCodes(BENCHMARK_ERRORS),
  );
});
