import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { InfraConfig } from './config.js';

/**
 * When the stack began counting: the app's start. Every approach counts from it: the app,
 * the Collector and the observer are fresh processes, and the aggregator reads the events
 * topic from that moment in a consumer group of its own, so earlier runs' events (Kafka
 * keeps them) are never counted again.
 */
export interface StackStart {
  /** Milliseconds since the epoch. */
  startedAt: number;
  /** The aggregator's consumer group: one a stack start, so no earlier group's state. */
  group: string;
}

const startFile = (config: InfraConfig): string => path.join(config.workDir, 'stack-start.json');

/** Records a new start, now: called as the app starts. */
export function beginStack(config: InfraConfig, now = Date.now()): StackStart {
  const start = { startedAt: now, group: `obscost-stack-${now}` };
  mkdirSync(config.workDir, { recursive: true });
  writeFileSync(startFile(config), `${JSON.stringify(start)}\n`);
  return start;
}

/** The start the running stack counts from; a new one if none was recorded. */
export function stackStart(config: InfraConfig): StackStart {
  try {
    const start = JSON.parse(readFileSync(startFile(config), 'utf8')) as Partial<StackStart>;
    if (typeof start.startedAt === 'number' && typeof start.group === 'string') {
      return { startedAt: start.startedAt, group: start.group };
    }
  } catch {
    // No stack started in this work directory yet, or a file this version cannot read.
  }
  return beginStack(config);
}
