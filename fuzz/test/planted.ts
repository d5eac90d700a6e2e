import type { FuzzTarget } from '../src/target.js';

/** Targets with a bug planted where only coverage guidance finds it in a few seconds. */
const common = { scripts: ['/fuzz/dist/test/planted.js'], dictionary: [], maxLength: 64 };

export const TARGETS: Record<string, FuzzTarget> = {
  magic: {
    ...common,
    about: 'throws on input that starts with "FZ!"',
    run(input) {
      if (input[0] === 0x46) {
        if (input[1] === 0x5a) {
          if (input[2] === 0x21) throw new Error('planted');
        }
      }
    },
  },
  spin: {
    ...common,
    about: 'never returns on input that starts with "H"',
    run(input) {
      while (input[0] === 0x48) input.reverse().reverse();
    },
  },
  clean: {
    ...common,
    about: 'reads anything',
    run(input) {
      input.reverse();
    },
  },
};
