import { BlockCoverage } from './coverage.js';
import { mutate, Random } from './mutate.js';
import type { FuzzTarget } from './target.js';

export interface FuzzStats {
  execs: number;
  corpus: number;
  features: number;
}

export interface FuzzHooks {
  /** Called with every input before it runs: the one to report if it never returns. */
  running(input: Buffer): void;
  /** An input that reached code no input before it did: it joins the corpus. */
  discovered(input: Buffer): void;
}

/** What the target threw, and on what. */
export interface Crash {
  input: Buffer;
  error: string;
}

/**
 * The coverage-guided loop: every seed runs first, then mutations of corpus inputs until the
 * deadline; an input that covers a block (or a block's run-count bucket) never seen before
 * joins the corpus, so the search goes deeper where the code branches.
 */
export class Fuzzer {
  readonly stats: FuzzStats = { execs: 0, corpus: 0, features: 0 };
  private readonly corpus: Buffer[] = [];
  private readonly seen = new Set<string>();
  private readonly coverage: BlockCoverage;
  private readonly random: Random;

  constructor(
    private readonly target: FuzzTarget,
    seed: number,
    private readonly hooks: FuzzHooks,
  ) {
    this.coverage = new BlockCoverage(target.scripts);
    this.random = new Random(seed);
  }

  /** Runs the seeds, then mutations until `deadline` (ms since the epoch): a crash, or none. */
  run(seeds: readonly Buffer[], deadline: number): Crash | undefined {
    try {
      for (const seed of seeds) {
        const crash = this.execute(seed.subarray(0, this.target.maxLength), false);
        if (crash) return crash;
      }
      if (this.corpus.length === 0) this.corpus.push(Buffer.alloc(0));
      const context = {
        random: this.random,
        maxLength: this.target.maxLength,
        dictionary: this.target.dictionary,
        other: () => this.random.pick(this.corpus),
      };
      // The clock is read every 64 inputs: reading it each time costs as much as a small input.
      while (this.stats.execs % 64 !== 0 || Date.now() < deadline) {
        const crash = this.execute(mutate(this.random.pick(this.corpus), context), true);
        if (crash) return crash;
      }
      return undefined;
    } finally {
      this.coverage.close();
    }
  }

  private execute(input: Buffer, mutated: boolean): Crash | undefined {
    this.hooks.running(input);
    this.stats.execs++;
    try {
      this.target.run(input);
    } catch (err) {
      return { input, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
    }
    let fresh = false;
    for (const feature of this.coverage.take()) {
      if (!this.seen.has(feature)) {
        this.seen.add(feature);
        fresh = true;
      }
    }
    if (fresh || !mutated) this.corpus.push(input);
    if (fresh && mutated) this.hooks.discovered(input);
    this.stats.corpus = this.corpus.length;
    this.stats.features = this.seen.size;
    return undefined;
  }
}
