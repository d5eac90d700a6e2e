import { collector } from './collector.js';
import type { Component } from './component.js';
import type { InfraConfig } from './config.js';
import { kafka } from './kafka.js';
import { listening, poll } from './managed-process.js';
import { prometheus } from './prometheus.js';

export const COMPONENTS: readonly Component[] = [kafka, collector, prometheus];

/** A component that failed to come up, with the tail of its log. */
export class ComponentFailure extends Error {
  override name = 'ComponentFailure';
  constructor(
    readonly component: string,
    reason: string,
    readonly logTail: string,
  ) {
    super(`${component}: ${reason}`);
  }
}

export function componentNamed(name: string): Component {
  const found = COMPONENTS.find((c) => c.name === name);
  if (!found) {
    throw new RangeError(
      `unknown component "${name}": one of ${COMPONENTS.map((c) => c.name).join(', ')}`,
    );
  }
  return found;
}

export type Report = (line: string) => void;

/**
 * Starts what is not running, waits until each is healthy and ready. A component already
 * up is left alone. One that fails is stopped again and reported with its log tail.
 */
export async function up(config: InfraConfig, report: Report, only = COMPONENTS): Promise<void> {
  for (const component of only) {
    const managed = component.process(config);
    const pid = managed.pid();
    if (pid !== undefined && (await component.healthy(config).catch(() => false))) {
      report(`${component.name}: already up (pid ${pid})`);
      continue;
    }
    await managed.stop(5_000);
    const busy = [];
    for (const port of component.ports(config)) if (await listening(port)) busy.push(port);
    if (busy.length > 0) {
      throw new ComponentFailure(
        component.name,
        `port ${busy.join(', ')} is taken by another process (see "ss -ltnp")`,
        '',
      );
    }
    report(`${component.name}: starting`);
    const started = Date.now();
    try {
      await component.start(config);
      const healthy = await poll(
        async () => managed.pid() === undefined || (await component.healthy(config)),
        component.startTimeoutMs,
      );
      if (managed.pid() === undefined) throw new Error('the process exited');
      if (!healthy) throw new Error(`not healthy after ${component.startTimeoutMs / 1000} s`);
      await component.ready?.(config);
    } catch (err) {
      const tail = managed.tail(30);
      await managed.stop(5_000);
      throw new ComponentFailure(component.name, (err as Error).message, tail);
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
        throw new Error(`${component.name}: port ${port} still listens after down`);
      }
    }
  }
}

export interface ComponentStatus {
  name: string;
  pid: number | undefined;
  healthy: boolean;
}

export async function status(config: InfraConfig): Promise<ComponentStatus[]> {
  return Promise.all(
    COMPONENTS.map(async (component) => ({
      name: component.name,
      pid: component.process(config).pid(),
      healthy: await component.healthy(config).catch(() => false),
    })),
  );
}
