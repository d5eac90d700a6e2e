import type { RoundPair } from '@obscost/measure';
import type { RoundResult } from '@obscost/report';

/** A round's figure a ratio is drawn from, as the report names it after the scenario. */
export interface RoundFigure {
  /** app, total, neighbours, p99, capacity. */
  name: string;
  of: (round: RoundResult) => number;
  /** The reference's figure, where it is not `of` the reference (the baseline app's, say). */
  referenceOf?: (round: RoundResult) => number;
  /** Added to the reference's figure once it is found usable: the calibration's N µs. */
  referencePlus?: number;
}

/** A round left out of a figure's ratio: whose figure no ratio can use, and what it was. */
export interface LeftOutRound {
  round: number;
  whose: 'subject' | 'reference';
  value: number;
}

/** The rounds that enter a figure's ratio, and those left out. */
export interface EnteringRounds {
  entered: RoundPair[];
  leftOut: LeftOutRound[];
}

/**
 * Whether a ratio can use the figure: positive and finite. A 0 is a run that measured
 * nothing (a component whose CPU could not be counted, say), not a run that cost nothing;
 * its logarithm has no place in a mean.
 */
function usable(value: number): boolean {
  return value > 0 && Number.isFinite(value);
}

/** Each pair of rounds (the subject's, the reference's) split into those that enter and not. */
export function enteringRounds(
  pairs: readonly (readonly [RoundResult, RoundResult])[],
  figure: RoundFigure,
): EnteringRounds {
  const entered: RoundPair[] = [];
  const leftOut: LeftOutRound[] = [];
  for (const [subjectRound, referenceRound] of pairs) {
    const subject = figure.of(subjectRound);
    const reference = (figure.referenceOf ?? figure.of)(referenceRound);
    if (usable(subject) && usable(reference)) {
      entered.push({ subject, reference: reference + (figure.referencePlus ?? 0) });
    } else {
      const whose = usable(subject) ? 'reference' : 'subject';
      leftOut.push({
        round: subjectRound.round,
        whose,
        value: whose === 'subject' ? subject : reference,
      });
    }
  }
  return { entered, leftOut };
}

/**
 * What the report says of a figure that lost rounds, or undefined when none was lost:
 * "sidecar neighbours: 1 of 5 rounds left out of its ratio, round 3 (0 in the baseline's
 * run): ...". `rounds` is how many rounds had both runs.
 */
function leftOutNote(
  subject: string,
  figure: string,
  rounds: number,
  leftOut: readonly LeftOutRound[],
): string | undefined {
  if (leftOut.length === 0) return undefined;
  const which = leftOut
    .map(({ round, whose, value }) => {
      const run = whose === 'subject' ? `${subject}'s` : "the baseline's";
      return `round ${round} (${value} in ${run} run)`;
    })
    .join(', ');
  return (
    `${subject} ${figure}: ${leftOut.length} of ${rounds} rounds left out of its ratio, ${which}: ` +
    'a figure of 0 is a run that measured nothing, not one that cost nothing'
  );
}

/** What the report says of each of `figures` whose ratio lost rounds, for `subject`. */
export function leftOutNotes(
  subject: string,
  pairs: readonly (readonly [RoundResult, RoundResult])[],
  figures: readonly RoundFigure[],
): string[] {
  return figures.flatMap((figure) => {
    const { leftOut } = enteringRounds(pairs, figure);
    const note = leftOutNote(subject, figure.name, pairs.length, leftOut);
    return note === undefined ? [] : [note];
  });
}
