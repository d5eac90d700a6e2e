import { listening, waitFor } from '@obscost/process';
import { collector } from './collector.js';
import type { Component } from './component.js';
import type { InfraConfig } from './config.js';
import { InfraError } from './errors.js';
import { ProcessGroup } from './kafka-processes.js';
import { kafka } from './kafka.js';
import { prometheus } from './prometheus.js';

export const COMPONENTS: readonly Component[] = [kafka, collector, prometheus];

export function componentNamed(name: string): Component {
  const found = COMPONENTS.find((c) => c.name === name);
  if (!found) {
    throw new InfraError(
      'INFRA_USAGE',
      `unknown component "${name}": one of ${COMPONENTS.map((c) => c.name).join(', ')}`,
    );
  }
  return found;
}

export type Report = (line: string) => void;

/** Whether it answers its health check; a check that throws (refused, timed out) is a no. */
function healthy(component: Component, config: InfraConfig): Promise<boolean> {
  return component.healthy(config).catch(() => false);
}

/** Starts one component and waits until it is healthy and ready; throws the reason if not. */
async function bringUp(component: Component, config: InfraConfig): Promise<void> {
  const managed = component.process(config);
  await component.start(config);
  try {
    await waitFor(
      `${component.name} to be healthy`,
      async () => managed.pid() === undefined || (await healthy(component, config)),
      component.startTimeoutMs,
      200,
    );
  } catch {
    // The condition cannot throw (health errors are a no): only the timeout lands here.
    throw new InfraError(
      'INFRA_COMPONENT_FAILED',
      `not healthy after ${component.startTimeoutMs / 1000} s`,
    );
  }
  if (managed.pid() === undefined) {
    throw new InfraError('INFRA_COMPONENT_FAILED', 'the process exited');
  }
  await component.ready?.(config);
}

/**
 * Starts what is not running, waits until each is healthy and ready. A component already
 * up is left alone. One that fails is stopped again and reported with its log tail.
 */
export async function up(config: InfraConfig, report: Report, only = COMPONENTS): Promise<void> {
  for (const component of only) {
    const managed = component.process(config);
    const pid = managed.pid();
    if (pid !== undefined && (await healthy(component, config))) {
      report(`${component.name}: already up (pid ${pid})`);
      continue;
    }
    await managed.stop(5_000);
    const busy = [];
    for (const port of component.ports(config)) if (await listening(port)) busy.push(port);
    if (busy.length > 0) {
      throw new InfraError(
        'INFRA_COMPONENT_FAILED',
        `${component.name}: port ${busy.join(', ')} is taken by another process (see "ss -ltnp")`,
      );
    }
    report(`${component.name}: starting`);
    const started = Date.now();
    try {
      await bringUp(component, config);
    } catch (err) {
      const tail = managed.tail(30);
      await managed.stop(5_000);
      // Setup's files are missing: nothing ran, so there is no log to show.
      if (err instanceof InfraError && err.code === 'INFRA_ARTIFACT_MISSING') throw err;
      throw new InfraError(
        'INFRA_COMPONENT_FAILED',
        `${component.name}: ${(err as Error).message}`,
        {
          cause: err,
          details: `--- last lines of the ${component.name} log ---\n${tail}`,
        },
      );
    }
    report(
      `${component.name}: up in ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${managed.pid() ?? '?'})`,
    );
  }
}

/** Stops every component, then checks that none of their ports still listens. */
export async function down(config: InfraConfig, report: Report): Promise<void> {
  for (const component of [...COMPONENTS].reverse()) {
    const managed = component.process(config);
    const pid = managed.pid();
    await managed.stop(20_000);
    if (pid !== undefined) report(`${component.name}: stopped (pid ${pid})`);
  }
  for (const component of COMPONENTS) {
    for (const port of component.ports(config)) {
      if (await listening(port)) {
        throw new InfraError(
          'INFRA_PORT_STILL_OPEN',
          `${component.name}: port ${port} still listens after down`,
        );
      }
    }
  }
}

export interface ComponentStatus {
  name: string;
  pid: number | undefined;
  healthy: boolean;
  /** A component of several processes (Kafka's three nodes): each one's name and pid. */
  nodes?: { name: string; pid: number | undefined }[];
}

export async function componentStatus(
  component: Component,
  config: InfraConfig,
): Promise<ComponentStatus> {
  const managed = component.process(config);
  const nodes =
    managed instanceof ProcessGroup
      ? managed.members.map((member) => ({ name: member.name, pid: member.pid() }))
      : undefined;
  return {
    name: component.name,
    pid: nodes ? nodes.find((node) => node.pid !== undefined)?.pid : managed.pid(),
    healthy: await healthy(component, config),
    ...(nodes && { nodes }),
  };
}

export async function status(config: InfraConfig): Promise<ComponentStatus[]> {
  return Promise.all(COMPONENTS.map((component) => componentStatus(component, config)));
}

/** `kafka       up (pid 12)`; a component of several processes lists each one. */
export function statusLine(s: ComponentStatus): string {
  const state = s.healthy ? 'up' : s.pid === undefined ? 'down' : 'running, not healthy';
  const pids = s.nodes
    ? ` (${s.nodes.map((node) => `${node.name} ${node.pid === undefined ? 'down' : `pid ${node.pid}`}`).join(', ')})`
    : s.pid === undefined
      ? ''
      : ` (pid ${s.pid})`;
  return `${s.name.padEnd(11)} ${state}${pids}`;
}
