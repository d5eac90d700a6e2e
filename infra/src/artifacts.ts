import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, type InfraConfig } from './config.js';
import { InfraError } from './errors.js';

/**
 * Where infra/setup.sh caches what it downloads or builds from a manifest: a directory
 * named after the hash of its manifests, so a changed manifest is fetched or built anew and
 * an unchanged one never again. setup.sh computes the same name (sha256 of the files one
 * after the other, 16 hex digits).
 */
export function cachedFor(config: InfraConfig, kind: string, ...manifests: string[]): string {
  const hash = createHash('sha256');
  for (const manifest of manifests) hash.update(readFileSync(path.join(ROOT, manifest)));
  return path.join(config.cacheDir, `${kind}-${hash.digest('hex').slice(0, 16)}`);
}

export function kafkaLibs(config: InfraConfig): string {
  return path.join(cachedFor(config, 'kafka', 'infra/kafka/pom.xml'), 'libs');
}

/** The Compose checker of infra/compose-check (compose-go, docker compose's own loader). */
export function composeCheckBinary(config: InfraConfig): string {
  const dir = 'infra/compose-check';
  const files = ['main.go', 'go.mod', 'go.sum'].map((f) => `${dir}/${f}`);
  return path.join(cachedFor(config, 'compose-check', ...files), 'compose-check');
}

/** The Helm that infra/setup.sh builds (build_helm): its HELM_VERSION, read from there. */
export function helmBinary(config: InfraConfig): string {
  const setup = readFileSync(path.join(ROOT, 'infra/setup.sh'), 'utf8');
  const version = /^HELM_VERSION=(\S+)$/m.exec(setup)?.[1] ?? '?';
  return path.join(config.cacheDir, `helm-${version}`, 'helm');
}

/** The chart's strict checker of infra/helm-check (k8s.io/api's own types). */
export function helmCheckBinary(config: InfraConfig): string {
  const dir = 'infra/helm-check';
  const files = ['main.go', 'servicemonitor.go', 'go.mod', 'go.sum'].map((f) => `${dir}/${f}`);
  return path.join(cachedFor(config, 'helm-check', ...files), 'helm-check');
}

/** The dashboards' strict checker of infra/grafana-check (the Grafana Foundation SDK's types). */
export function grafanaCheckBinary(config: InfraConfig): string {
  const dir = 'infra/grafana-check';
  const files = ['main.go', 'dashboard.go', 'duplicates.go', 'go.mod', 'go.sum'];
  return path.join(
    cachedFor(config, 'grafana-check', ...files.map((f) => `${dir}/${f}`)),
    'grafana-check',
  );
}

/** The seed's Go service of fixtures/go-service: a test fixture, and a service to compare. */
export function goServiceBinary(config: InfraConfig): string {
  const dir = 'fixtures/go-service';
  const files = ['main.go', 'handlers.go', 'go.mod', 'go.sum'].map((f) => `${dir}/${f}`);
  return path.join(cachedFor(config, 'go-service', ...files), 'go-service');
}

/** The OpenTelemetry Java agent of infra/javaagent/pom.xml, for `-javaagent:` in a Java service. */
export function javaAgentJar(config: InfraConfig): string {
  return path.join(
    cachedFor(config, 'javaagent', 'infra/javaagent/pom.xml'),
    'opentelemetry-javaagent.jar',
  );
}

/** The class directory of fixtures/java-service, compiled: `java -cp DIR Server`. */
export function javaServiceClasses(config: InfraConfig): string {
  return cachedFor(config, 'java-service', 'fixtures/java-service/Server.java');
}

/** The virtualenv's Python with the test packages of infra/python-requirements.txt. */
export function testPython(config: InfraConfig): string {
  return path.join(cachedFor(config, 'python', 'infra/python-requirements.txt'), 'bin/python');
}

/**
 * The Python services' virtualenv of infra/python-service-requirements.txt: its `python`
 * (Flask and waitress for fixtures/python-service, and OpenTelemetry's zero-code agent),
 * `opentelemetry-instrument`, and `sitecustomize`, the agent's directory that
 * `opentelemetry-instrument` puts first on PYTHONPATH (undefined until setup made the
 * virtualenv: its lib/pythonX.Y is named after the interpreter that made it).
 */
export function pythonServiceVenv(config: InfraConfig): {
  python: string;
  instrument: string;
  sitecustomize: string | undefined;
} {
  const dir = cachedFor(config, 'service-python', 'infra/python-service-requirements.txt');
  const lib = path.join(dir, 'lib');
  const version = existsSync(lib)
    ? readdirSync(lib).find((name) => /^python3\.\d+$/.test(name))
    : undefined;
  return {
    python: path.join(dir, 'bin/python'),
    instrument: path.join(dir, 'bin/opentelemetry-instrument'),
    sitecustomize:
      version === undefined
        ? undefined
        : path.join(
            lib,
            version,
            'site-packages/opentelemetry/instrumentation/auto_instrumentation',
          ),
  };
}

export function collectorBinary(config: InfraConfig): string {
  return path.join(cachedFor(config, 'otelcol', 'otel/builder-config.yaml'), 'otelcol-obscost');
}

/** Fails with the command to run when setup has not produced `file` yet. */
export function requireArtifact(file: string, what: string): string {
  if (!existsSync(file)) {
    throw new InfraError(
      'INFRA_ARTIFACT_MISSING',
      `${what} is missing (${file}): run "npm run setup"`,
    );
  }
  return file;
}

/** Fills `{{name}}` placeholders; a placeholder without a value is an error. */
export function renderTemplate(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new InfraError('INFRA_TEMPLATE', `no value for the template placeholder {{${name}}}`);
    }
    return String(value);
  });
}
