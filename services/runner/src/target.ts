import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startApp, type RunningApp } from '@obscost/infra';
import { listening, startChild, waitFor } from '@obscost/process';
import type { ServiceSpec } from './service-settings.js';

/** How long a named service has, once started, to accept connections. */
const SERVICE_START_MS = 30_000;

/** The host and port a service's origin names. */
function endpointOf(service: ServiceSpec): { host: string; port: number } {
  const url = new URL(service.origin);
  return { host: url.hostname, port: Number(url.port) };
}

/**
 * Starts the named service with the scenario's environment added to ours, in a process group
 * of its own (stopping it stops what it started), and waits until its port accepts
 * connections. `sh -c 'exec CMD'` parses the command line as a shell would, then becomes the
 * service: the pid the probes and the meter follow is the service's own.
 *
 * Its output goes to a file, not to a pipe: Node's pipes to a child are socket pairs, and a
 * service that logs each request would add its log to the socket writes the probes count.
 * The shell redirects first, so a redirection in the user's command still wins.
 */
async function startService(service: ServiceSpec, env: NodeJS.ProcessEnv): Promise<RunningApp> {
  const { host, port } = endpointOf(service);
  // Whatever answers there already would be measured in the service's stead.
  if (await listening(port, host)) {
    throw new Error(
      `something already accepts connections on ${service.origin}: stop it, or give --service-url another port`,
    );
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-service-'));
  const outputFile = path.join(dir, 'output.log');
  const shell = `exec >'${outputFile}' 2>&1; exec ${service.command}`;
  const child = startChild('/bin/sh', ['-c', shell], { env, group: true });
  // Read once it has exited, for the reason it did; gone with it.
  const lastOutput = child.closed.then(() => {
    try {
      return readFileSync(outputFile, 'utf8');
    } catch {
      return child.output(); // the shell could not open it, and said so on its own stderr
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  try {
    await waitFor(
      `the service (${service.command}) to accept connections on ${service.origin}`,
      async () => {
        if (!child.running) {
          const output = (await lastOutput).trim();
          throw new Error(
            `the service (${service.command}) exited before it accepted connections on ` +
              `${service.origin}${output === '' ? '' : `: ${output}`}`,
          );
        }
        return listening(port, host);
      },
      SERVICE_START_MS,
      50,
    );
    return Object.assign(child, { url: service.origin });
  } catch (err) {
    await child.stop();
    throw err;
  }
}

/**
 * Starts what the comparison observes, with the scenario's environment: the named service,
 * or the project's app when none is named.
 */
export function startTarget(
  service: ServiceSpec | undefined,
  env: NodeJS.ProcessEnv,
): Promise<RunningApp> {
  return service === undefined ? startApp(env) : startService(service, env);
}
