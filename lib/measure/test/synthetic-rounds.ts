import type { RoundPair } from '../src/interval.js';

/** A deterministic uniform draw in [0, 1) from a 32-bit seed (mulberry32), so tests never flake. */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A standard normal draw (Box–Muller) from a uniform source. */
function standardNormal(uniform: () => number): number {
  const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
  return radius * Math.cos(2 * Math.PI * uniform());
}

/** How one process's figure varies around 1 from round to round. */
export type Noise = (uniform: () => number) => number;

const CV = 0.1;

export const NOISES: Readonly<Record<string, Noise>> = {
  'normal, CV 10%': (uniform) => Math.max(1e-6, 1 + CV * standardNormal(uniform)),
  'log-normal, σ 0.1': (uniform) => Math.exp(CV * standardNormal(uniform)),
  // A quiet CPU most of the time, and one round in ten spoiled by a neighbour: ×1.5 to ×3.
  'heavy-tailed, 10% outliers ×1.5–3': (uniform) => {
    const quiet = Math.exp(0.05 * standardNormal(uniform));
    return uniform() < 0.1 ? quiet * (1.5 + 1.5 * uniform()) : quiet;
  },
};

/** One experiment: `rounds` pairs whose subject costs `trueRatio` times its reference. */
export function experiment(
  noise: Noise,
  uniform: () => number,
  rounds: number,
  trueRatio: number,
): RoundPair[] {
  return Array.from({ length: rounds }, () => {
    const reference = 100 * noise(uniform);
    return { reference, subject: 100 * trueRatio * noise(uniform) };
  });
}
