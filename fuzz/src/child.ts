import { openSync, writeSync } from 'node:fs';
import { Fuzzer } from './fuzzer.js';
import { STATE_HEADER, type CampaignStart, type ChildMessage } from './protocol.js';
import type { FuzzTarget } from './target.js';

/**
 * One target's fuzzing, in a process of its own so that an input that never returns (a hang)
 * or exhausts the heap takes down only this process. Before each input runs, the input and
 * the counts are written to the state file, from which the parent tells which input it was.
 */
const start = await new Promise<CampaignStart>((resolve) => {
  process.once('message', (message) => {
    resolve(message as CampaignStart);
  });
});
const send = (message: ChildMessage, then = (): void => undefined): void => {
  process.send?.(message, undefined, {}, then);
};

const targets = ((await import(start.module)) as { TARGETS: Record<string, FuzzTarget> }).TARGETS;
const target = targets[start.target];
if (!target) throw new Error(`${start.module} has no target ${start.target}`);

const stateFd = openSync(start.stateFile, 'w');
const state = Buffer.alloc(STATE_HEADER + target.maxLength);
const fuzzer = new Fuzzer(target, start.seed, {
  running(input) {
    state.writeUInt32LE(fuzzer.stats.execs + 1, 0);
    state.writeUInt32LE(fuzzer.stats.corpus, 4);
    state.writeUInt32LE(fuzzer.stats.features, 8);
    state.writeUInt32LE(input.length, 12);
    input.copy(state, STATE_HEADER);
    writeSync(stateFd, state, 0, STATE_HEADER + input.length, 0);
  },
  discovered(input) {
    send({ kind: 'discovered', input: Uint8Array.from(input) });
  },
});
const crash = fuzzer.run(
  start.seeds.map((seed) => Buffer.from(seed)),
  start.deadline,
);
send(
  crash
    ? {
        kind: 'crash',
        input: Uint8Array.from(crash.input),
        error: crash.error,
        stats: fuzzer.stats,
      }
    : { kind: 'done', stats: fuzzer.stats },
  // Disconnecting before the message is written would lose it: the parent would see an exit.
  () => {
    process.disconnect();
  },
);
