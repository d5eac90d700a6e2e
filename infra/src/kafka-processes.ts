import { InfraError } from './errors.js';
import { ManagedProcess } from './managed-process.js';

/**
 * Three Kafka nodes as the one process `infra` manages for a component: `up` waits on it,
 * `down` stops it, `logs` and a failed start show its tail. It runs while every node runs, so
 * one node's exit fails `up` at once; `stop` stops them all.
 */
export class ProcessGroup extends ManagedProcess {
  constructor(
    name: string,
    readonly members: readonly [ManagedProcess, ...ManagedProcess[]],
  ) {
    super(name, members[0].dir);
  }

  /** The first node's pid while every node runs. */
  override pid(): number | undefined {
    const pids = this.members.map((member) => member.pid());
    return pids.every((pid) => pid !== undefined) ? pids[0] : undefined;
  }

  /** Each node is started by itself, with its own arguments. */
  override start(): number {
    throw new InfraError('INFRA_COMPONENT_FAILED', `start each of ${this.name}'s nodes`);
  }

  /** All at once, so `down` waits one grace period rather than three (6 s in all here). */
  override async stop(graceMs: number): Promise<void> {
    await Promise.all(this.members.map((member) => member.stop(graceMs)));
  }

  override tail(lines: number): string {
    return this.members.map((member) => `--- ${member.name} ---\n${member.tail(lines)}`).join('\n');
  }
}
