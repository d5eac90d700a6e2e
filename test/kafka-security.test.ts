import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { CaptureWriter, encodeBatch } from '@obscost/events';
import { aggregator, batch, total, variedEvents } from './aggregator-support.js';
import {
  freePorts,
  OBSERVER_MAIN,
  ownKafka,
  REPLAY_MAIN,
  run,
  runBench,
  scrape,
  seriesValue,
  startApp,
  startObserver,
  waitFor,
} from './support.js';

interface Certificates {
  /** The CA that signed the broker's certificate. */
  ca: string;
  /** The broker's PEM keystore: its PKCS#8 key, then its certificate. */
  keystore: string;
  /** A CA that signed nothing of this broker's. */
  otherCa: string;
}

/** A CA and a broker certificate for 127.0.0.1 signed by it, made for this test alone. */
function certificates(t: TestContext): Certificates {
  const dir = mkdtempSync(path.join(tmpdir(), 'obscost-tls-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1'];
  for (const ca of ['ca', 'other-ca']) {
    openssl(
      'req',
      '-x509',
      ...newKey,
      '-subj',
      `/CN=obscost test ${ca}`,
      ...[...['-keyout', file(`${ca}.key`)], ...['-out', file(`${ca}.pem`)]],
    );
  }
  openssl(
    'req',
    ...newKey,
    '-subj',
    '/CN=127.0.0.1',
    ...[...['-keyout', file('broker.key')], ...['-out', file('broker.csr')]],
  );
  writeFileSync(file('san'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    file('broker.csr'),
    '-days',
    '1',
    '-extfile',
    file('san'),
    ...[
      ...['-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial'],
      ...['-out', file('broker.crt')],
    ],
  );
  writeFileSync(
    file('broker.pem'),
    readFileSync(file('broker.key'), 'utf8') + readFileSync(file('broker.crt'), 'utf8'),
  );
  return { ca: file('ca.pem'), keystore: file('broker.pem'), otherCa: file('other-ca.pem') };
}

test(
  'over SASL_SSL (SCRAM-SHA-512, TLS): the observer, replay and the aggregator count exactly; a wrong password or CA is refused at start',
  { timeout: 300_000 },
  async (t) => {
    const tls = certificates(t);
    const [saslPort] = await freePorts(1);
    const username = 'obscost-test';
    const password = `pw-${randomUUID()}`;
    await ownKafka(t, {
      settings: {
        KAFKA_SASL_SSL_PORT: String(saslPort),
        KAFKA_TLS_KEYSTORE: tls.keystore,
        KAFKA_SASL_USERNAME: username,
        KAFKA_SASL_PASSWORD: password,
      },
    });
    const client = (ca: string) => [
      ...['--kafka-brokers', `127.0.0.1:${saslPort}`, '--kafka-security-protocol', 'SASL_SSL'],
      ...['--kafka-ca-file', ca, '--kafka-sasl-username', username],
    ];
    const secure = client(tls.ca);
    const login = { KAFKA_SASL_PASSWORD: password };

    // A wrong password, a CA that signed nothing of the broker's: each refused at start.
    const app = await startApp();
    t.after(() => app.stop());
    const target = ['--pid', String(app.process.pid), '--probes', 'uprobe'];
    const wrongPassword = await run(
      process.execPath,
      [OBSERVER_MAIN, '--port', '0', ...target, ...secure],
      { KAFKA_SASL_PASSWORD: 'not-the-password' },
    );
    assert.equal(wrongPassword.code, 1, wrongPassword.stdout);
    assert.match(wrongPassword.stderr, /^observer: the SASL login was refused: /m);
    const capture = path.join(path.dirname(tls.ca), 'replayed.avro');
    const writer = new CaptureWriter(capture);
    const replayed = [1, 2, 3].map((sequence) => batch('replayed', sequence, variedEvents(50, 0)));
    for (const b of replayed) writer.write(encodeBatch(b));
    writer.close();
    const untrusted = await run(
      process.execPath,
      [REPLAY_MAIN, capture, ...client(tls.otherCa)],
      login,
    );
    assert.equal(untrusted.code, 1, untrusted.stdout);
    assert.match(
      untrusted.stderr,
      /^replay: the broker's TLS certificate is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/m,
    );

    // The right login: every event the observer sends and every batch replayed is counted.
    const observer = await startObserver([...target, ...secure, '--observer-id', 'sasl'], login);
    t.after(() => observer.stop());
    const bench = await runBench(['-url', `${app.url}/ping`, '-conns', '4', '-requests', '1000']);
    assert.equal(bench.code, 0, bench.stderr);
    const replay = await run(process.execPath, [REPLAY_MAIN, capture, ...secure], login);
    assert.equal(replay.code, 0, replay.stderr);
    const counting = await aggregator(t, secure, login);
    let batches = 0;
    await waitFor('the observer to send every event', async () => {
      const metrics = await scrape(observer.url);
      batches = seriesValue(metrics, 'observer_last_sequence');
      return seriesValue(metrics, 'observer_events_sent_total') === 1000;
    });
    let exposition = '';
    await waitFor(
      'the aggregator to count every record',
      async () => {
        exposition = await scrape(counting.url);
        return total(exposition, 'aggregator_records_total') === batches + replayed.length;
      },
      60_000,
    );
    assert.equal(total(exposition, 'aggregator_events_total'), 1000 + 3 * 50);
  },
);
