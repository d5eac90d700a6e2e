import type { InfraConfig } from './config.js';
import type { ManagedProcess } from './managed-process.js';

/** One piece of the native infrastructure, as `npm run infra` manages it. */
export interface Component {
  readonly name: string;
  /** Every TCP port it listens on: `up` waits for them, `down` checks they are closed. */
  ports(config: InfraConfig): number[];
  process(config: InfraConfig): ManagedProcess;
  /** Starts the process (preparing data and config files first); returns at once. */
  start(config: InfraConfig): Promise<void>;
  /** Whether it serves: a real request, not just an open port. */
  healthy(config: InfraConfig): Promise<boolean>;
  /** How long a start may take before `up` gives up, in ms. */
  readonly startTimeoutMs: number;
  /** Work to do once it is healthy (Kafka creates the project's topics). */
  ready?(config: InfraConfig): Promise<void>;
}
