import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { ReportError } from '../src/errors.js';
import type { Report } from '../src/report.js';
import { fieldPath, readReport, REPORT_SCHEMA_FILE, validateReport } from '../src/validate.js';

const FIXTURE = path.resolve(import.meta.dirname, '../../test/fixtures/report.json');
const REPORT_TS = path.resolve(import.meta.dirname, '../../src/report.ts');

/**
 * A type as both sides can describe it: the JSON Schema and report.ts's declarations. Numbers
 * are numbers whether the schema says integer or number (it may be stricter than TypeScript).
 */
type Shape =
  | 'string'
  | 'number'
  | 'boolean'
  | { enum: (string | number)[] }
  | { items: Shape }
  | { nullable: Shape }
  | { values: Shape }
  | { properties: Record<string, { optional: boolean; shape: Shape }>; closed: boolean };

function literals(values: (string | number)[]): Shape {
  return { enum: [...values].sort() };
}

/** The shape of a TypeScript type, from the checker. */
function typeShape(checker: ts.TypeChecker, type: ts.Type): Shape {
  if (type.flags & ts.TypeFlags.Boolean) return 'boolean';
  if (type.flags & ts.TypeFlags.String) return 'string';
  if (type.flags & ts.TypeFlags.Number) return 'number';
  if (type.isStringLiteral() || type.isNumberLiteral()) return literals([type.value]);
  if (type.isUnion()) {
    // An optional property's type may carry undefined: its optionality says so already.
    const parts = type.types.filter((t) => !(t.flags & ts.TypeFlags.Undefined));
    const nonNull = parts.filter((t) => !(t.flags & ts.TypeFlags.Null));
    const [single] = nonNull;
    if (nonNull.length === parts.length - 1 && nonNull.length === 1 && single) {
      return { nullable: typeShape(checker, single) };
    }
    const [only] = parts;
    if (parts.length === 1 && only) return typeShape(checker, only);
    if (parts.every((t) => t.flags & ts.TypeFlags.BooleanLiteral)) return 'boolean';
    const values = parts.flatMap((t) =>
      t.isStringLiteral() || t.isNumberLiteral() ? [t.value] : [],
    );
    if (values.length === parts.length) return literals(values);
    throw new Error(`a union the schema cannot say: ${checker.typeToString(type)}`);
  }
  if (checker.isArrayType(type)) {
    const [item] = checker.getTypeArguments(type as ts.TypeReference);
    if (!item) throw new Error(`an array without its item type: ${checker.typeToString(type)}`);
    return { items: typeShape(checker, item) };
  }
  // A map by name (Record<string, T>): its values' shape.
  const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
  if (index !== undefined && checker.getPropertiesOfType(type).length === 0) {
    return { values: typeShape(checker, index.type) };
  }
  const properties: Record<string, { optional: boolean; shape: Shape }> = {};
  for (const property of checker.getPropertiesOfType(type)) {
    properties[property.name] = {
      optional: (property.flags & ts.SymbolFlags.Optional) !== 0,
      shape: typeShape(checker, checker.getTypeOfSymbol(property)),
    };
  }
  return { properties, closed: true };
}

interface SchemaNode {
  $ref?: string;
  const?: string | number;
  enum?: (string | number)[];
  type?: string | string[];
  items?: SchemaNode;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  $defs?: Record<string, SchemaNode>;
}

/** The shape of a JSON Schema node, its references followed. */
function schemaShape(node: SchemaNode, root: SchemaNode): Shape {
  if (node.$ref !== undefined) {
    const name = node.$ref.replace('#/$defs/', '');
    const target = root.$defs?.[name];
    if (!target) throw new Error(`unresolved ${node.$ref}`);
    return schemaShape(target, root);
  }
  if (node.const !== undefined) return literals([node.const]);
  if (node.enum !== undefined) return literals(node.enum);
  if (Array.isArray(node.type)) {
    const [type, other] = node.type;
    if (other !== 'null' || type === undefined)
      throw new Error(`a type list: ${node.type.join(', ')}`);
    return { nullable: schemaShape({ ...node, type }, root) };
  }
  switch (node.type) {
    case 'string':
    case 'boolean':
      return node.type;
    case 'number':
    case 'integer':
      return 'number';
    case 'array':
      if (!node.items) throw new Error('an array without items');
      return { items: schemaShape(node.items, root) };
    case 'object': {
      if (typeof node.additionalProperties === 'object' && node.properties === undefined) {
        return { values: schemaShape(node.additionalProperties, root) };
      }
      const properties: Record<string, { optional: boolean; shape: Shape }> = {};
      for (const [name, child] of Object.entries(node.properties ?? {})) {
        properties[name] = {
          optional: !(node.required ?? []).includes(name),
          shape: schemaShape(child, root),
        };
      }
      return { properties, closed: node.additionalProperties === false };
    }
    default:
      throw new Error(`a schema node this test does not read: ${JSON.stringify(node)}`);
  }
}

test(
  'report.schema.json says what report.ts says: every field, its type, whether required',
  {
    timeout: 60_000,
  },
  () => {
    const program = ts.createProgram([REPORT_TS], {
      strict: true,
      exactOptionalPropertyTypes: true,
      noEmit: true,
      types: [],
      target: ts.ScriptTarget.ES2022,
    });
    const checker = program.getTypeChecker();
    const source = program.getSourceFile(REPORT_TS);
    const declaration = source?.statements.find(
      (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'Report',
    );
    assert.ok(declaration, 'report.ts declares Report');
    const schema = JSON.parse(readFileSync(REPORT_SCHEMA_FILE, 'utf8')) as SchemaNode;
    assert.deepEqual(
      schemaShape(schema, schema),
      typeShape(checker, checker.getTypeAtLocation(declaration.name)),
    );
  },
);

test('the fixtures are valid reports', () => {
  assert.equal(readReport(FIXTURE).scenarios.length, 5);
  const service = readReport(path.join(path.dirname(FIXTURE), 'service-report.json'));
  assert.deepEqual(service.scenarios[1]?.accuracy.bpftrace?.not_comparable, {
    requests:
      'write and writev calls: one a response only where the service writes each response whole',
  });
});

test('a not_comparable map names a measure, with a reason', () => {
  const report = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Report;
  const entry = report.scenarios[4]?.accuracy.ebpf_uprobe;
  assert.ok(entry);
  entry.not_comparable = {};
  assert.throws(() => validateReport(report), /not_comparable/);
  entry.not_comparable = { bytes: '' };
  assert.throws(() => validateReport(report), /not_comparable\.bytes/);
  entry.not_comparable = { bytes: 'the body' };
  validateReport(report);
});

function invalid(change: (report: Record<string, unknown>) => void): unknown {
  const report = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>;
  change(report);
  return report;
}

test('an invalid report is a REPORT_INVALID error naming the first problem by its path', () => {
  const cases: [(report: Record<string, unknown>) => void, string][] = [
    [
      (r) => {
        (r['scenarios'] as { rps: unknown }[])[1] = {
          ...(r['scenarios'] as object[])[1],
          rps: 'fast',
        };
      },
      'the report is not a valid report: scenarios[1].rps: must be number',
    ],
    [
      (r) => {
        r['version'] = 1;
      },
      'the report is not a valid report: version: must be equal to constant (2)',
    ],
    [
      (r) => {
        delete r['warnings'];
      },
      "the report is not a valid report: the report: must have required property 'warnings'",
    ],
    [
      (r) => {
        (r['settings'] as Record<string, unknown>)['colour'] = 'blue';
      },
      'the report is not a valid report: settings: must NOT have additional properties ("colour")',
    ],
    [
      (r) => {
        (r['scenarios'] as { status: string }[])[0] = {
          ...(r['scenarios'] as { status: string }[])[0],
          status: 'fine',
        };
      },
      'the report is not a valid report: scenarios[0].status: must be equal to one of the ' +
        'allowed values ("ok", "failed", "skipped")',
    ],
  ];
  for (const [change, message] of cases) {
    assert.throws(
      () => validateReport(invalid(change)),
      (err: unknown) =>
        err instanceof ReportError &&
        err.code === 'REPORT_INVALID' &&
        err.exitCode === 1 &&
        err.message === message,
      message,
    );
  }
});

test('a file that is not a report says which file, and why', { timeout: 10_000 }, (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-validate-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const notJson = path.join(dir, 'truncated.json');
  writeFileSync(notJson, '{"version": 1, "scen');
  const wrong = path.join(dir, 'wrong.json');
  writeFileSync(wrong, '{"version": 1}');
  const missing = path.join(dir, 'missing.json');
  for (const [file, start] of [
    [notJson, `${notJson} is not JSON: `],
    [wrong, `${wrong} is not a valid report: the report: must have required property`],
    [missing, `cannot read ${missing}: ENOENT`],
  ] as const) {
    assert.throws(
      () => readReport(file),
      (err: unknown) =>
        err instanceof ReportError &&
        err.code === 'REPORT_INVALID' &&
        err.message.startsWith(start),
      start,
    );
  }
});

test('a JSON pointer reads as the page names figures', () => {
  assert.equal(
    fieldPath('/scenarios/1/overhead/rps_ratio/values/0'),
    'scenarios[1].overhead.rps_ratio.values[0]',
  );
  assert.equal(fieldPath('/settings/rate'), 'settings.rate');
  assert.equal(fieldPath('/a~1b'), 'a/b');
});
