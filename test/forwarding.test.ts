import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { BATCH_SCHEMA_FILE, readCapture, type DecodedBatch } from '@obscost/events';
import { kafkaClient, ROOT, testPython } from '@obscost/infra';
import {
  ownKafka,
  run,
  runBench,
  scrape,
  seriesValue,
  startApp,
  startObserver,
  waitFor,
  type OwnKafka,
} from './support.js';
import { newTopic } from './aggregator-support.js';
import {
  consumeBatches,
  quiescent,
  KIND_SERIES,
  BYTES_SERIES,
  observed,
  tally,
  sequences,
  oneTo,
  observe,
} from './forwarding-support.js';

test('every event reaches Kafka, decodes with the .avsc, in sequence, and in the capture file', async (t) => {
  const kafka = await ownKafka(t);
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-capture-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const capture = path.join(dir, 'events.avro');
  const app = await startApp();
  t.after(() => app.stop());
  const observer = await observe(t, app, kafka, ['--capture', capture]);

  const bench = await runBench(['-url', `${app.url}/ping`, '-conns', '4', '-requests', '2000']);
  assert.equal(bench.code, 0, bench.stderr);
  await app.stop();
  const metrics = await quiescent(observer);
  const last = seriesValue(metrics, 'observer_last_sequence');
  const records: Buffer[] = [];
  const batches = await consumeBatches(kafka, (b) => b.length >= last, records);

  assert.deepEqual(sequences(batches), oneTo(last), 'every batch, once, in order: no gap');
  assert.ok(batches.every((batch) => batch.observer_id === 'forwarding-test'));
  const { events, bytes } = tally(batches);
  assert.deepEqual(events, observed(metrics, KIND_SERIES));
  assert.deepEqual(bytes, observed(metrics, BYTES_SERIES));
  assert.equal(events.UPROBE, 2000);
  assert.equal(
    seriesValue(metrics, 'observer_events_sent_total'),
    batches.reduce((n, b) => n + b.events.length, 0),
  );

  await observer.stop();
  assert.deepEqual(
    JSON.parse(JSON.stringify(await readCapture(capture))),
    JSON.parse(JSON.stringify(batches)),
  );

  // An independent Avro implementation reads the records from Kafka with the .avsc alone.
  const sample = [records[0], records[records.length - 1]].map((record, i) => {
    const file = path.join(dir, `record-${i}.bin`);
    writeFileSync(file, record ?? Buffer.alloc(0));
    return file;
  });
  const fastavro = await run(testPython(kafka.config), [
    path.join(ROOT, 'test/decode_with_fastavro.py'),
    BATCH_SCHEMA_FILE,
    ...sample,
  ]);
  assert.equal(fastavro.code, 0, fastavro.stderr);
  const [firstDecoded, lastDecoded] = fastavro.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as DecodedBatch);
  assert.equal(firstDecoded?.sequence, 1);
  assert.equal(lastDecoded?.sequence, last);
  assert.deepEqual(lastDecoded.events.length, batches[batches.length - 1]?.events.length);
});

for (const [how, stop] of [
  ['stopped', (kafka: OwnKafka) => kafka.down()],
  ['killed -9', (kafka: OwnKafka) => kafka.kill()],
] as const) {
  test(`Kafka ${how} for 30 s under load and restarted: nothing lost when the outage fits the buffer`, async (t) => {
    const kafka = await ownKafka(t);
    const app = await startApp();
    t.after(() => app.stop());
    const observer = await observe(t, app, kafka);
    await runBench(['-url', `${app.url}/ping`, '-conns', '4', '-requests', '500']);
    await stop(kafka);
    // 30 s without Kafka under steady load: far past kafkajs's own retries (about 5 s).
    const during = await runBench([
      '-url',
      `${app.url}/ping`,
      '-conns',
      '4',
      '-rate',
      '100',
      '-requests',
      '3000',
    ]);
    assert.equal(during.code, 0, during.stderr);
    await waitFor(
      'batches to wait for Kafka',
      async () => seriesValue(await scrape(observer.url), 'observer_buffer_bytes') > 0,
    );
    await kafka.up();
    await app.stop();
    const metrics = await quiescent(observer);
    const last = seriesValue(metrics, 'observer_last_sequence');
    const batches = await consumeBatches(kafka, (b) => b.length >= last);
    assert.equal(seriesValue(metrics, 'observer_dropped_events_total{reason="buffer_full"}'), 0);
    assert.deepEqual(
      [...new Set(sequences(batches))].sort((a, b) => a - b),
      oneTo(last),
      'no batch lost',
    );
    const unique = [...new Map(batches.map((batch) => [batch.sequence, batch])).values()];
    assert.deepEqual(tally(unique).events, observed(metrics, KIND_SERIES));
    assert.equal(tally(unique).events.UPROBE, 3500);
  });
}

test('with a tiny buffer, events lost in an outage == the exported drop count, exactly', async (t) => {
  const kafka = await ownKafka(t);
  const app = await startApp();
  t.after(() => app.stop());
  const observer = await observe(t, app, kafka, ['--buffer-bytes', '64K', '--batch-bytes', '4K']);
  await runBench(['-url', `${app.url}/ping`, '-conns', '4', '-requests', '200']);
  await kafka.down();
  await runBench(['-url', `${app.url}/ping`, '-conns', '4', '-requests', '5000']);
  await kafka.up();
  await app.stop();
  const metrics = await quiescent(observer);
  const last = seriesValue(metrics, 'observer_last_sequence');
  const dropped = seriesValue(metrics, 'observer_dropped_events_total{reason="buffer_full"}');
  assert.ok(dropped > 0, 'a 64 KiB buffer overflows');
  const sent = seriesValue(metrics, 'observer_events_sent_total');
  const batches = await consumeBatches(
    kafka,
    (b) => b.reduce((n, batch) => n + batch.events.length, 0) >= sent,
  );
  const unique = [...new Map(batches.map((batch) => [batch.sequence, batch])).values()];
  const onTopic = unique.reduce((n, batch) => n + batch.events.length, 0);
  const total = Object.values(observed(metrics, KIND_SERIES)).reduce((a, b) => a + b, 0);
  assert.equal(total - onTopic, dropped, 'every event the topic lacks is counted as dropped');
  assert.ok(unique.length < last, 'the missing batches show as gaps in the sequence');
});

test('Kafka unreachable at start: the observer buffers and delivers once Kafka is up', async (t) => {
  const kafka = await ownKafka(t, { start: false });
  const app = await startApp();
  t.after(() => app.stop());
  const observer = await observe(t, app, kafka);
  await runBench(['-url', `${app.url}/ping`, '-conns', '2', '-requests', '300']);
  await waitFor(
    'batches to wait for Kafka',
    async () => seriesValue(await scrape(observer.url), 'observer_buffer_bytes') > 0,
  );
  await waitFor('the observer to say it buffers', () =>
    observer.output().includes('Kafka unavailable, buffering'),
  );
  await kafka.up();
  await app.stop();
  const metrics = await quiescent(observer);
  const last = seriesValue(metrics, 'observer_last_sequence');
  const batches = await consumeBatches(kafka, (b) => b.length >= last);
  assert.deepEqual(
    [...new Set(sequences(batches))].sort((a, b) => a - b),
    oneTo(last),
  );
  assert.equal(
    tally([...new Map(batches.map((b) => [b.sequence, b])).values()]).events.UPROBE,
    300,
  );
});

test('an events topic not made yet: the observer buffers, naming it, and delivers once it exists', async (t) => {
  const kafka = await ownKafka(t);
  const topic = await newTopic(kafka, 1, { created: false });
  const app = await startApp();
  t.after(() => app.stop());
  const observer = await observe(t, app, kafka, ['--topic', topic.topic]);
  await runBench(['-url', `${app.url}/ping`, '-conns', '2', '-requests', '300']);
  await waitFor('the observer to say which topic it waits for', () =>
    observer.output().includes(`observer: topic ${topic.topic} does not exist (yet), buffering`),
  );
  await topic.create();
  await app.stop();
  const metrics = await quiescent(observer);
  const last = seriesValue(metrics, 'observer_last_sequence');
  const batches = await consumeBatches(kafka, (b) => b.length >= last, [], topic.topic);
  assert.deepEqual(sequences(batches), oneTo(last), 'every batch, once, in order');
  assert.equal(tally(batches).events.UPROBE, 300);
  assert.equal(seriesValue(metrics, 'observer_dropped_events_total{reason="buffer_full"}'), 0);
});

test('SIGTERM flushes what is buffered to Kafka before exiting, and says what became of every event', async (t) => {
  const kafka = await ownKafka(t);
  const app = await startApp();
  t.after(() => app.stop());
  const observer = await observe(t, app, kafka, ['--batch-age', '60000']);
  await runBench(['-url', `${app.url}/ping`, '-conns', '2', '-requests', '400']);
  await app.stop();
  assert.equal(await observer.stop(), 0);
  const line =
    /^observer: detached and stopped: (\d+) events drained, (\d+) sent to Kafka, dropped: 0 buffer_full, 0 rejected, 0 shutdown, 0 unconfirmed$/m.exec(
      observer.output(),
    );
  assert.ok(line, observer.output());
  const [drained, sent] = [Number(line[1]), Number(line[2])];
  assert.equal(sent, drained, 'the open batch, 60 s from closing by age, was closed and sent');
  const batches = await consumeBatches(
    kafka,
    (b) => b.reduce((n, batch) => n + batch.events.length, 0) >= sent,
  );
  assert.equal(tally(batches).events.UPROBE, 400);
  assert.equal(
    batches.reduce((n, batch) => n + batch.events.length, 0),
    sent,
  );
});

test('batches Kafka refuses for good are dropped and counted, not retried forever', async (t) => {
  const kafka = await ownKafka(t);
  const admin = kafkaClient(kafka.config, 'forwarding-test').admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  await admin.createTopics({
    topics: [
      {
        topic: 'refusing',
        numPartitions: 1,
        replicationFactor: 1,
        configEntries: [{ name: 'max.message.bytes', value: '512' }],
      },
    ],
    waitForLeaders: true,
  });
  const app = await startApp();
  t.after(() => app.stop());
  const observer = await startObserver([
    ...['--pid', String(app.process.pid), '--kafka-brokers', kafka.brokers, '--topic', 'refusing'],
    ...['--batch-bytes', '1K', '--batch-age', '60000'],
  ]);
  t.after(() => observer.stop());
  await runBench(['-url', `${app.url}/ping`, '-conns', '2', '-requests', '200']);
  await app.stop();
  await waitFor('a refusal', () => observer.output().includes('Kafka refused'));
  assert.equal(await observer.stop(), 0);
  const line =
    /: (\d+) events drained, (\d+) sent to Kafka, dropped: 0 buffer_full, (\d+) rejected, 0 shutdown, 0 unconfirmed$/m.exec(
      observer.output(),
    );
  assert.ok(line, observer.output());
  const [drained, sent, rejected] = [Number(line[1]), Number(line[2]), Number(line[3])];
  assert.ok(rejected > 0);
  assert.equal(sent + rejected, drained, 'every event sent or counted as rejected');
});
