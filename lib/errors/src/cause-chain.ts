import { CodedError } from './coded-error.js';

/** `err` and the errors under it, outermost first; a cause that loops back ends the walk. */
export function causes(err: unknown): Error[] {
  const chain: Error[] = [];
  for (let e = err; e instanceof Error && !chain.includes(e); e = e.cause) chain.push(e);
  return chain;
}

/** The first coded error in `err`'s cause chain: the reason to report, however it was wrapped. */
export function codedCause(err: unknown): CodedError | undefined {
  return causes(err).find((e): e is CodedError => e instanceof CodedError);
}
