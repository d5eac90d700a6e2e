import path from 'node:path';
import { ROOT, startObserver, type RunningObserver } from '@obscost/infra';
import { cpuSeconds, scrape, seriesValue } from '@obscost/measure';
import { startChild, waitFor, type Child } from '@obscost/process';

/**
 * bench:scale's brokers: the real observer forwarding a paced write() producer's events to
 * Kafka (acks=all, idempotent), as bench:rate --kafka does, to one broker or to three.
 */

const WRITE_LOOP = path.join(ROOT, 'services/observer/native/build/write-loop');
const DELIVERED = 'app_write_events_total{syscall="write",fd="other"}';
const DROPPED = 'observer_kernel_drops_total{kind="write"}';
const SENT = 'observer_events_sent_total';
const LOST = 'observer_dropped_events_total{reason="buffer_full"}';

export interface BrokerRun {
  /** Events a second the producer reached. */
  achieved: number;
  /** Events Kafka acknowledged, over the producer's time and the wait for the last ack. */
  delivered: number;
  /** From the producer's last write to Kafka's last acknowledgement, in ms. */
  drainMs: number;
  /** Events lost in the kernel or before Kafka: 0 if exact. */
  lost: number;
  /** The observer's CPU over the same time, in cores. */
  cpu: number;
}

async function metric(observer: RunningObserver, series: string): Promise<number> {
  return seriesValue(await scrape(observer.url), series);
}

function cpuTotal(pid: number): number {
  const { user, system } = cpuSeconds(pid);
  return user + system;
}

/**
 * One fresh observer sending to `brokers`, `events` write() calls at `rate` a second. An idle
 * producer stands in as the target until then: the observer resolves `--comm` at its start.
 */
export async function throughBrokers(
  brokers: string,
  rate: number,
  events: number,
): Promise<BrokerRun> {
  const idle = startChild(WRITE_LOOP, ['0'], { stdin: 'pipe' });
  let producer: Child | undefined;
  let observer: RunningObserver | undefined;
  try {
    await waitFor('the idle producer', () => idle.pid !== undefined);
    observer = await startObserver([
      '--kafka-brokers',
      brokers,
      '--comm',
      'write-loop',
      '--probes',
      'write',
    ]);
    const running = observer;
    producer = startChild(WRITE_LOOP, [String(events), '1', String(rate)], { stdin: 'pipe' });
    await waitFor(
      'the observer to follow the producer',
      async () => (await metric(running, 'observer_targets')) === 2,
    );
    const pid = running.process.pid ?? 0;
    const cpuBefore = cpuTotal(pid);
    const started = performance.now();
    producer.process.stdin?.end('go\n');
    if ((await producer.exited) !== 0) throw new Error('the producer failed');
    const wrote = performance.now();
    let sent = 0;
    let lost = 0;
    await waitFor(
      'every event acknowledged by Kafka or lost',
      async () => {
        const [delivered, dropped] = [
          await metric(running, DELIVERED),
          await metric(running, DROPPED),
        ];
        sent = await metric(running, SENT);
        lost = dropped + (await metric(running, LOST));
        return delivered + dropped === events && sent + lost === events;
      },
      120_000,
      10,
    );
    const acked = performance.now();
    return {
      achieved: events / ((wrote - started) / 1000),
      delivered: sent / ((acked - started) / 1000),
      drainMs: acked - wrote,
      lost,
      cpu: (cpuTotal(pid) - cpuBefore) / ((acked - started) / 1000),
    };
  } finally {
    await observer?.stop();
    await producer?.stop();
    idle.process.stdin?.end('\n');
    await idle.stop();
  }
}
