/**
 * The highest event rate the observer keeps up with: a synthetic producer (write-loop,
 * one write() per event) at increasing rates for a few seconds each, the real observer
 * following it by command name. For each rate: the rate achieved, events delivered and
 * dropped in the kernel, and the observer's CPU. With --kafka, the observer also forwards
 * every event to a Kafka of the benchmark's own (free ports, its own work directory), and
 * the table adds the events Kafka acknowledged (acks=all) and those dropped before it.
 *
 *   npm run bench:rate -- [--kafka] [--seconds 3] [--rates 250000,500000,1000000,1500000,0]
 *   (rate 0: unpaced)
 */
import path from 'node:path';
import { integerRule, setting } from '@obscost/flags';
import { cpuSeconds, scrape, seriesValue } from '@obscost/measure';
import { startChild, waitFor } from '@obscost/process';
import { ROOT, startObserver, type RunningObserver } from '@obscost/infra';
import { benchKafka } from './own-kafka.js';
import { benchmarkFlags, flag } from './settings.js';

const WRITE_LOOP = path.join(ROOT, 'services/observer/native/build/write-loop');

const values = benchmarkFlags('bench:rate', 'The highest event rate the observer keeps up with.', {
  seconds: flag.count('seconds', 3, 'seconds at each rate'),
  rates: setting.custom({
    flag: 'rates',
    placeholder: 'LIST',
    default: '250000,500000,1000000,1500000,0',
    help: 'write() calls per second to try, 0 for as fast as the producer goes',
    parse: (text, name) =>
      text.split(',').map((rate) => integerRule(name, rate.trim(), 0, 100_000_000)),
  }),
  kafka: setting.switch({ flag: 'kafka', help: "forward to a Kafka of the benchmark's own" }),
});
const { seconds, rates } = values;

async function metric(observer: RunningObserver, series: string): Promise<number> {
  return seriesValue(await scrape(observer.url), series);
}

/** The process's CPU time so far, user and system together, in seconds. */
function cpuTotal(pid: number): number {
  const { user, system } = cpuSeconds(pid);
  return user + system;
}

const DELIVERED = 'app_write_events_total{syscall="write",fd="other"}';
const DROPPED = 'observer_kernel_drops_total{kind="write"}';
const SENT = 'observer_events_sent_total';
const LOST = 'observer_dropped_events_total{reason="buffer_full"}';

// The observer wants its target to exist when it starts: an idle producer (0 writes,
// waiting on stdin) stands in until the end.
const idle = startChild(WRITE_LOOP, ['0'], { stdin: 'pipe' });
await waitFor('the idle producer', () => idle.pid !== undefined);
const kafka = benchKafka(39092);
if (values.kafka) await kafka.up();
const brokers = kafka.config.kafka.brokers;
const observer = await startObserver([
  ...(values.kafka ? ['--kafka-brokers', brokers] : ['--no-kafka']),
  ...['--comm', 'write-loop'],
]);
const observerPid = observer.process.pid ?? 0;
const rows: string[] = [];
try {
  for (const rate of rates) {
    // Unpaced, the loop runs as fast as one core writes: ~3 s worth at 1.5 M/s.
    const events = Math.round((rate === 0 ? 1_500_000 : rate) * seconds);
    const deliveredBefore = await metric(observer, DELIVERED);
    const droppedBefore = await metric(observer, DROPPED);
    const sentBefore = await metric(observer, SENT);
    const lostBefore = await metric(observer, LOST);
    const producer = startChild(WRITE_LOOP, [String(events), '1', String(rate)], {
      stdin: 'pipe',
    });
    await waitFor(
      'the observer to follow the producer',
      async () => (await metric(observer, 'observer_targets')) === 2,
    );
    const cpuBefore = cpuTotal(observerPid);
    const started = process.hrtime.bigint();
    producer.process.stdin?.end('go\n');
    if ((await producer.exited) !== 0) throw new Error('the producer failed');
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    let delivered = 0;
    let dropped = 0;
    await waitFor(
      'every event delivered or dropped',
      async () => {
        delivered = (await metric(observer, DELIVERED)) - deliveredBefore;
        dropped = (await metric(observer, DROPPED)) - droppedBefore;
        return delivered + dropped === events;
      },
      30_000,
    );
    let kafka = '';
    if (values.kafka) {
      let sent = 0;
      let lost = 0;
      await waitFor(
        'every batch acknowledged by Kafka or dropped',
        async () => {
          sent = (await metric(observer, SENT)) - sentBefore;
          lost = (await metric(observer, LOST)) - lostBefore;
          return sent + lost === delivered;
        },
        60_000,
      );
      kafka = `  to Kafka ${sent.toLocaleString('en').padStart(10)}  lost before Kafka ${lost.toLocaleString('en')}`;
    }
    // CPU until the last event was handled (sent, with --kafka), over the producer's time.
    const cpu = (cpuTotal(observerPid) - cpuBefore) / elapsed;
    const achieved = events / elapsed;
    rows.push(
      `${(rate === 0 ? 'unpaced' : rate.toLocaleString('en')).padStart(10)}  ${Math.round(achieved).toLocaleString('en').padStart(10)}/s` +
        `  delivered ${delivered.toLocaleString('en').padStart(10)}  dropped ${dropped.toLocaleString('en').padStart(8)}${kafka}` +
        `  observer CPU ${(cpu * 100).toFixed(0).padStart(3)}%  (${((cpu * 100) / (achieved / 100_000)).toFixed(1)}% per 100k events/s)`,
    );
    await waitFor(
      'the producer to leave the targets',
      async () => (await metric(observer, 'observer_targets')) === 1,
    );
  }
} finally {
  await observer.stop();
  idle.process.stdin?.end('\n');
  await kafka.down();
}
process.stdout.write(
  `target rate, achieved, delivered, dropped (${seconds} s each)\n${rows.join('\n')}\n`,
);
