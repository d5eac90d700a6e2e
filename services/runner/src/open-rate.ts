import type { RunSettings } from './settings.js';
import type { StatusLine } from './status-line.js';

/**
 * The open model's rate, the same for every scenario: --rate, or --rate-fraction of the first
 * capacity measured (the baseline's in round 1, unless the baseline failed).
 */
export class OpenRate {
  private chosen: number | undefined;
  private source: string;
  /** For the report: the rate came from another scenario than the baseline. */
  readonly warnings: string[] = [];

  constructor(
    private readonly settings: Pick<RunSettings, 'rate' | 'rateFraction'>,
    private readonly status: StatusLine,
  ) {
    this.chosen = settings.rate;
    this.source = settings.rate === undefined ? '' : '--rate';
  }

  /** What runRound calls with `scenario`'s capacity once its closed run is done. */
  forScenario(scenario: string): (capacity: number) => number {
    return (capacity) => {
      if (this.chosen === undefined) {
        this.chosen = Math.max(1, Math.round(capacity * this.settings.rateFraction));
        this.source = `${this.settings.rateFraction} of the ${scenario} capacity in round 1`;
        if (scenario !== 'baseline') {
          this.warnings.push(`the baseline failed: the rate is ${this.source}`);
        }
        this.status.print(`obscost: the open-model rate is ${this.chosen} req/s, ${this.source}`);
      }
      return this.chosen;
    };
  }

  /** The rate, req/s; 0 when no closed run finished to choose it from. */
  get rate(): number {
    return this.chosen ?? 0;
  }

  /** How it was chosen, for the report; empty when it was not. */
  get rateSource(): string {
    return this.source;
  }
}
