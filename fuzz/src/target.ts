/** A function under fuzzing, with what the fuzzer needs to know of its input. */
export interface FuzzTarget {
  /** What it reads, in a few words, for the report. */
  readonly about: string;
  /** URL fragments of the scripts whose coverage guides the search. */
  readonly scripts: readonly string[];
  /** Keywords and magic bytes of the input's format, which the mutator inserts whole. */
  readonly dictionary: readonly Buffer[];
  /** The longest input tried. */
  readonly maxLength: number;
  /**
   * Reads one input. Returns when it is read or refused with the reason the code under test
   * gives; anything it throws is a finding.
   */
  run(input: Buffer): void;
}
