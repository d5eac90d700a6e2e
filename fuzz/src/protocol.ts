import type { FuzzStats } from './fuzzer.js';

/** What the parent sends a fuzzing child first. */
export interface CampaignStart {
  /** URL of a module that exports `TARGETS`. */
  module: string;
  target: string;
  seeds: Uint8Array[];
  /** When to stop, in ms since the epoch. */
  deadline: number;
  seed: number;
  /** The state file: STATE_HEADER then the input running now (see stateOf). */
  stateFile: string;
}

/** The state file's header: inputs run, corpus size, blocks seen, length of the input running. */
export const STATE_HEADER = 16;

export interface RunningState extends FuzzStats {
  input: Buffer;
}

/** Reads a state file as the child wrote it before its latest input ran. */
export function stateOf(file: Buffer): RunningState {
  if (file.length < STATE_HEADER)
    return { execs: 0, corpus: 0, features: 0, input: Buffer.alloc(0) };
  const length = Math.min(file.readUInt32LE(12), file.length - STATE_HEADER);
  return {
    execs: file.readUInt32LE(0),
    corpus: file.readUInt32LE(4),
    features: file.readUInt32LE(8),
    input: Buffer.from(file.subarray(STATE_HEADER, STATE_HEADER + length)),
  };
}

export type ChildMessage =
  | { kind: 'discovered'; input: Uint8Array }
  | { kind: 'crash'; input: Uint8Array; error: string; stats: FuzzStats }
  | { kind: 'done'; stats: FuzzStats };
