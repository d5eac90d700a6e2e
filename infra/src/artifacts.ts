import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, type InfraConfig } from './config.js';

/**
 * Where infra/setup.sh caches what it downloads or builds from a manifest: a directory
 * named after the manifest's hash, so a changed manifest is fetched or built anew and an
 * unchanged one never again. setup.sh computes the same name (sha256, 16 hex digits).
 */
export function cachedFor(config: InfraConfig, kind: string, manifest: string): string {
  const hash = createHash('sha256')
    .update(readFileSync(path.join(ROOT, manifest)))
    .digest('hex')
    .slice(0, 16);
  return path.join(config.cacheDir, `${kind}-${hash}`);
}

export function kafkaLibs(config: InfraConfig): string {
  return path.join(cachedFor(config, 'kafka', 'infra/kafka/pom.xml'), 'libs');
}

export function collectorBinary(config: InfraConfig): string {
  return path.join(cachedFor(config, 'otelcol', 'otel/builder-config.yaml'), 'otelcol-obscost');
}

/** Fails with the command to run when setup has not produced `file` yet. */
export function requireArtifact(file: string, what: string): string {
  if (!existsSync(file)) {
    throw new Error(`${what} is missing (${file}): run "npm run setup"`);
  }
  return file;
}

/** Fills `{{name}}` placeholders; a placeholder without a value is an error. */
export function renderTemplate(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for the template placeholder {{${name}}}`);
    return String(value);
  });
}
