import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FuzzStats } from './fuzzer.js';
import { stateOf, type CampaignStart, type ChildMessage, type RunningState } from './protocol.js';
import type { FuzzTarget } from './target.js';

export interface CampaignOptions {
  /** URL of a module that exports `TARGETS`, and the name of one of them. */
  module: string;
  target: string;
  seeds: readonly Buffer[];
  durationMs: number;
  /** An input that has not returned after this long is a hang. */
  hangMs: number;
  seed: number;
  /** Called about every 250 ms while it runs. */
  progress?: (stats: FuzzStats) => void;
}

export interface Finding {
  kind: 'crash' | 'hang' | 'out of memory' | 'exit';
  input: Buffer;
  error: string;
}

export interface CampaignResult {
  stats: FuzzStats;
  /** Inputs that reached new code, in the order found. */
  discovered: Buffer[];
  finding: Finding | undefined;
}

/** A child's heap limit: a decoder that allocates without bound fails here, not the machine. */
const HEAP_LIMIT_MB = 512;
/** Lines of a child's stderr kept, to say why it died. */
const STDERR_LINES = 12;

/** The child's running state as it last wrote it; an empty one before its first write. */
function runningState(stateFile: string): RunningState {
  try {
    return stateOf(readFileSync(stateFile));
  } catch {
    return stateOf(Buffer.alloc(0));
  }
}

function statsOf({ execs, corpus, features }: RunningState): FuzzStats {
  return { execs, corpus, features };
}

/** Keeps the last lines of the child's stderr, to say why it died. */
function stderrTail(child: ChildProcess): () => string {
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).split('\n').slice(-STDERR_LINES).join('\n');
  });
  return () => stderr;
}

interface Supervision {
  stateFile: string;
  hangMs: number;
  progress: CampaignOptions['progress'];
  stderr: () => string;
}

/**
 * Watches the child until it reports the end or a crash, stops making progress (a hang), or
 * dies (out of memory, or another exit): the first of these is the result, once it has exited.
 */
function supervise(
  child: ChildProcess,
  { stateFile, hangMs, progress, stderr }: Supervision,
): Promise<CampaignResult> {
  return new Promise<CampaignResult>((resolve) => {
    const discovered: Buffer[] = [];
    let result: CampaignResult | undefined;
    const settle = (outcome: CampaignResult): void => {
      result ??= outcome;
      clearInterval(watch);
      child.kill('SIGKILL');
    };
    let lastExecs = -1;
    let lastChange = Date.now();
    const watch = setInterval(() => {
      const now = runningState(stateFile);
      progress?.(statsOf(now));
      if (now.execs !== lastExecs) {
        lastExecs = now.execs;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > hangMs) {
        const error = `input ${now.execs} has not returned after ${hangMs / 1000} s`;
        settle({
          stats: statsOf(now),
          discovered,
          finding: { kind: 'hang', input: now.input, error },
        });
      }
    }, 250);
    child.on('message', (message: ChildMessage) => {
      if (message.kind === 'discovered') {
        discovered.push(Buffer.from(message.input));
      } else if (message.kind === 'crash') {
        const finding: Finding = {
          kind: 'crash',
          input: Buffer.from(message.input),
          error: message.error,
        };
        settle({ stats: message.stats, discovered, finding });
      } else {
        settle({ stats: message.stats, discovered, finding: undefined });
      }
    });
    child.on('exit', (code, signal) => {
      if (!result) {
        const now = runningState(stateFile);
        const outOfMemory = /heap out of memory/.test(stderr());
        const error = `the fuzzing process died (${signal ?? `exit code ${code}`}) while an input ran:\n${stderr().trim()}`;
        settle({
          stats: statsOf(now),
          discovered,
          finding: { kind: outOfMemory ? 'out of memory' : 'exit', input: now.input, error },
        });
      }
      if (result) resolve(result);
    });
  });
}

/** Fuzzes one target in a child process, watching it for hangs, crashes and memory exhaustion. */
export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const targets = ((await import(options.module)) as { TARGETS: Record<string, FuzzTarget> })
    .TARGETS;
  if (!targets[options.target])
    throw new Error(`${options.module} has no target ${options.target}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-fuzz-'));
  const stateFile = path.join(dir, 'state');
  const start: CampaignStart = {
    module: options.module,
    target: options.target,
    seeds: options.seeds.map((seed) => Uint8Array.from(seed)),
    deadline: Date.now() + options.durationMs,
    seed: options.seed,
    stateFile,
  };
  const child = fork(fileURLToPath(new URL('./child.js', import.meta.url)), [], {
    execArgv: [`--max-old-space-size=${HEAP_LIMIT_MB}`],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  const stderr = stderrTail(child);
  child.send(start);
  try {
    return await supervise(child, {
      stateFile,
      hangMs: options.hangMs,
      progress: options.progress,
      stderr,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
