/** The signals that ask a service to stop: a supervisor's SIGTERM and a terminal's Ctrl-C. */
export const SHUTDOWN_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

export interface ShutdownOptions {
  /**
   * What a signal does once shutdown has begun. 'exit' (the services, the bench): the same
   * signal again takes Node's default and ends the process, so a second Ctrl-C ends a
   * shutdown that hangs; another of the signals is ignored. 'ignore' (the main job): every
   * later signal is ignored until the disposer runs, so what it started is always stopped.
   */
  again?: 'exit' | 'ignore';
}

/**
 * Calls `handler` once, on the first of `signals` the process receives. Returns the
 * disposer, which removes what is left of the listeners.
 */
export function onShutdown(
  signals: readonly NodeJS.Signals[],
  handler: (signal: NodeJS.Signals) => void,
  { again = 'exit' }: ShutdownOptions = {},
): () => void {
  let received = false;
  const listener = (signal: NodeJS.Signals): void => {
    // Without a listener left, Node's default disposition of the signal applies again.
    if (again === 'exit') process.off(signal, listener);
    if (received) return;
    received = true;
    handler(signal);
  };
  for (const signal of signals) process.on(signal, listener);
  return () => {
    for (const signal of signals) process.off(signal, listener);
  };
}
