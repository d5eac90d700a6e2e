/**
 * The mutations a coverage-guided fuzzer applies to an input from its corpus: libFuzzer's
 * basic set (bit flips, byte values, inserts, erases, copies, dictionary tokens, crossover),
 * stacked one to four at a time. Pure functions of a seeded random source, so a run is
 * repeated by its seed.
 */

/** A seeded source of random integers (mulberry32: small, fast and good enough to mutate). */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** An integer in [0, below). */
  below(below: number): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % below) >>> 0;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.below(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
}

/** Byte values at the edges of signed and unsigned ranges, and the line ends of text formats. */
const INTERESTING_BYTES = [0x00, 0x01, 0x0a, 0x0d, 0x20, 0x30, 0x39, 0x7f, 0x80, 0xfe, 0xff];

export interface MutationContext {
  readonly random: Random;
  readonly maxLength: number;
  readonly dictionary: readonly Buffer[];
  /** Another input of the corpus, for crossover. */
  readonly other: () => Buffer;
}

type Mutation = (input: Buffer, context: MutationContext) => Buffer;

function insert(input: Buffer, at: number, bytes: Buffer): Buffer {
  return Buffer.concat([input.subarray(0, at), bytes, input.subarray(at)]);
}

function randomBytes(random: Random, length: number): Buffer {
  return Buffer.from(Array.from({ length }, () => random.below(256)));
}

const MUTATIONS: readonly Mutation[] = [
  function flipBit(input, { random }) {
    if (input.length === 0) return input;
    const out = Buffer.from(input);
    const at = random.below(out.length);
    out[at] = (out[at] ?? 0) ^ (1 << random.below(8));
    return out;
  },
  function setByte(input, { random }) {
    if (input.length === 0) return input;
    const out = Buffer.from(input);
    out[random.below(out.length)] =
      random.below(2) === 0 ? random.below(256) : random.pick(INTERESTING_BYTES);
    return out;
  },
  function insertBytes(input, { random }) {
    return insert(input, random.below(input.length + 1), randomBytes(random, 1 + random.below(8)));
  },
  function eraseBytes(input, { random }) {
    if (input.length === 0) return input;
    const at = random.below(input.length);
    const length = 1 + random.below(Math.min(16, input.length - at));
    return Buffer.concat([input.subarray(0, at), input.subarray(at + length)]);
  },
  function copyPart(input, { random }) {
    if (input.length === 0) return input;
    const from = random.below(input.length);
    const part = input.subarray(from, from + 1 + random.below(Math.min(64, input.length - from)));
    return insert(input, random.below(input.length + 1), Buffer.from(part));
  },
  function insertToken(input, { random, dictionary }) {
    if (dictionary.length === 0) return input;
    return insert(input, random.below(input.length + 1), random.pick(dictionary));
  },
  function overwriteToken(input, { random, dictionary }) {
    if (dictionary.length === 0 || input.length === 0) return input;
    const token = random.pick(dictionary);
    const at = random.below(input.length);
    return Buffer.concat([input.subarray(0, at), token, input.subarray(at + token.length)]);
  },
  function crossOver(input, { random, other }) {
    const donor = other();
    const cut = random.below(input.length + 1);
    return Buffer.concat([input.subarray(0, cut), donor.subarray(random.below(donor.length + 1))]);
  },
];

/** One to four mutations of `input`, cut to the context's maximum length. */
export function mutate(input: Buffer, context: MutationContext): Buffer {
  let out = input;
  const count = 1 + context.random.below(4);
  for (let i = 0; i < count; i++) out = context.random.pick(MUTATIONS)(out, context);
  return out.length > context.maxLength ? out.subarray(0, context.maxLength) : out;
}
