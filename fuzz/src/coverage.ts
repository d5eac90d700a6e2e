import { Session } from 'node:inspector';

/**
 * What one input executed, read from V8's own block coverage through the inspector: the
 * coverage that guides the fuzzer, without instrumenting the code under test. Each feature
 * is a range V8 reports with its run count in a power-of-two bucket (as AFL and libFuzzer
 * count), so a loop that runs more often is new too. Ranges that did not run count as well:
 * V8 leaves out a block that ran as often as the block around it, so a branch taken shows
 * as the next branch inside it reported with a count of zero.
 */
export class BlockCoverage {
  private readonly session = new Session();
  /** Per script id: whether its URL is one of the covered scripts. */
  private readonly covered = new Map<string, boolean>();

  /** @param scripts URL fragments of the scripts whose blocks count (others are ignored). */
  constructor(private readonly scripts: readonly string[]) {
    this.session.connect();
    this.post('Profiler.enable');
    this.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
    this.take();
  }

  /** The features of what ran since the last call; V8 then starts counting again from zero. */
  take(): string[] {
    const { result } = this.post('Profiler.takePreciseCoverage') as {
      result: { scriptId: string; url: string; functions: { ranges: Range[] }[] }[];
    };
    const features: string[] = [];
    for (const script of result) {
      let covered = this.covered.get(script.scriptId);
      if (covered === undefined) {
        covered = this.scripts.some((fragment) => script.url.includes(fragment));
        this.covered.set(script.scriptId, covered);
      }
      if (!covered) continue;
      for (const fn of script.functions) {
        for (const range of fn.ranges) {
          features.push(
            `${script.scriptId}:${range.startOffset}:${range.endOffset}:${Math.clz32(range.count)}`,
          );
        }
      }
    }
    return features;
  }

  close(): void {
    this.session.disconnect();
  }

  /** The inspector of the session's own thread answers before post returns. */
  private post(method: string, params?: object): unknown {
    let answer: { error: Error | null; result: unknown } | undefined;
    this.session.post(method, params, (error, result) => {
      answer = { error, result };
    });
    if (answer === undefined) throw new Error(`the inspector did not answer ${method} at once`);
    if (answer.error) throw answer.error;
    return answer.result;
  }
}

interface Range {
  startOffset: number;
  endOffset: number;
  count: number;
}
