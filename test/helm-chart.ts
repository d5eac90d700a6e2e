/**
 * What test/helm.test.ts renders the chart with: the Helm and the strict checker that setup
 * builds into the cache, the rendered objects' types (the part the tests read), and the
 * observer's and the aggregator's own settings parsers applied to a container.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { parseSettings, SettingError } from '@obscost/flags';
import { helmBinary, helmCheckBinary, loadInfraConfig, ROOT } from '@obscost/infra';
import { parseAggregatorArgs as aggregatorArgs, type AggregatorConfig } from '@obscost/aggregator';
import { SETTINGS as OBSERVER_SETTINGS } from '@obscost/observer';
import { parseAllDocuments } from 'yaml';
import { run } from './support.js';

export const CHART = path.join(ROOT, 'deploy/helm/obscost');
export const TEST_VALUES = path.join(ROOT, 'deploy/helm/test-values');
export const TIMEOUT = { timeout: 60_000 };

const config = loadInfraConfig();
const HELM = helmBinary(config);
const CHECKER = helmCheckBinary(config);
/** The version setup builds, as the path of its build names it (`helm-4.3.2`). */
export const HELM_VERSION = /helm-([^/]+)\/helm$/.exec(HELM)?.[1];

function built(binary: string): string {
  assert.ok(existsSync(binary), `${binary} is missing: run "npm run setup"`);
  return binary;
}

// Helm's own config, cache and data directories, away from the user's.
const HELM_HOME = mkdtempSync(path.join(tmpdir(), 'obscost-helm-'));
after(() => {
  rmSync(HELM_HOME, { recursive: true, force: true });
});
const HELM_ENV = Object.fromEntries(
  ['CONFIG', 'CACHE', 'DATA'].map((d) => [`HELM_${d}_HOME`, path.join(HELM_HOME, d)]),
);

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string }; secretKeyRef?: { name: string; key: string } };
}
export interface Container {
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  securityContext?: Record<string, unknown> & {
    capabilities?: { drop?: string[]; add?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface Volume {
  name: string;
  hostPath?: { path: string };
  secret?: { secretName: string };
  configMap?: { name: string };
}
interface PodSpec {
  hostPID?: boolean;
  containers: Container[];
  volumes?: Volume[];
}
export interface KubeObject {
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: {
    replicas?: number;
    template?: { spec: PodSpec };
    selector?: { matchLabels?: Record<string, string> };
    ports?: { name: string; port: number }[];
    endpoints?: { port: string }[];
  };
  data?: Record<string, string>;
}

export function helm(...args: string[]) {
  return run(built(HELM), args, HELM_ENV);
}

/** Helm's arguments for values files of deploy/helm/test-values. */
export function valuesArgs(files: string[]): string[] {
  return files.flatMap((file) => ['-f', path.join(TEST_VALUES, file)]);
}

/** `helm template` with these values files, every object through the strict checker. */
export async function render(...valuesFiles: string[]): Promise<KubeObject[]> {
  const files = valuesArgs(valuesFiles);
  const rendered = await helm('template', 'obscost', CHART, '--namespace', 'obscost', ...files);
  assert.equal(rendered.code, 0, `helm template ${valuesFiles.join(' ')}: ${rendered.stderr}`);
  const checked = await check(rendered.stdout);
  assert.equal(checked.code, 0, `helm-check ${valuesFiles.join(' ')}: ${checked.stderr}`);
  const objects = parseAllDocuments(rendered.stdout)
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);
  assert.deepEqual(
    checked.stdout.trim().split('\n'),
    objects.map((o) => `ok ${o.kind} ${o.metadata.name}`),
  );
  return objects;
}

export async function check(stream: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-helm-check-'));
  try {
    writeFileSync(path.join(dir, 'rendered.yaml'), stream);
    return await run(built(CHECKER), [path.join(dir, 'rendered.yaml')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function find(objects: KubeObject[], kind: string, component: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name.endsWith(`-${component}`));
  assert.ok(found, `${kind} ${component}`);
  return found;
}

export function podOf(objects: KubeObject[], kind: string, component: string) {
  const pod = find(objects, kind, component).spec?.template?.spec;
  const container = pod?.containers[0];
  assert.ok(pod && container, `${kind} ${component} has a container`);
  return { pod, container };
}

/** The container's environment as the program sees it: a value from elsewhere as a marker. */
export function envOf(container: Container): NodeJS.ProcessEnv {
  return Object.fromEntries(
    (container.env ?? []).map((e) => [e.name, e.value ?? `from ${JSON.stringify(e.valueFrom)}`]),
  );
}

/** The observer's settings from its arguments and environment, by its own parser. */
export function observerSettings(container: Container) {
  const usageError = (message: string) => new SettingError(message);
  const { values } = parseSettings(OBSERVER_SETTINGS, container.args ?? [], {
    env: envOf(container),
    usageError,
  });
  assert.ok(values, 'the observer parsed its arguments');
  return values;
}

/** The aggregator's own parser applied to the container's arguments and environment. */
export function parseAggregatorArgs(container: Container): AggregatorConfig {
  const config = aggregatorArgs(container.args ?? [], envOf(container));
  assert.ok(config, 'the aggregator parsed its arguments');
  return config;
}
