import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { encodeBatch, type DecodedBatch } from '../src/avro.js';
import {
  CaptureCutShort,
  CaptureWriter,
  captureBatches,
  readCapture,
} from '../src/capture-file.js';

function dir(t: TestContext): string {
  const made = mkdtempSync(path.join(tmpdir(), 'obscost-capture-'));
  t.after(() => {
    rmSync(made, { recursive: true, force: true });
  });
  return made;
}

const batch = (sequence: number): DecodedBatch => ({
  observer_id: 'test',
  host: 'h',
  sequence,
  incarnation: 1,
  events: [{ timestamp_ns: 1, bytes: 8, pid: 1, tid: 1, fd: 3, kind: 'WRITE', flags: 0 }],
  processes: [{ pid: 1, name: 'app' }],
});

test('a capture never replaces a file unless asked, and then only once it begins', async (t) => {
  const file = path.join(dir(t), 'run.avro');
  writeFileSync(file, 'the last capture');
  assert.throws(() => new CaptureWriter(file), { code: 'EEXIST' });
  assert.equal(readFileSync(file, 'utf8'), 'the last capture');

  new CaptureWriter(file, { overwrite: true }).discard();
  assert.equal(readFileSync(file, 'utf8'), 'the last capture', 'a failed start keeps it');

  const writer = new CaptureWriter(file, { overwrite: true });
  assert.equal(readFileSync(file, 'utf8'), 'the last capture', 'intact until the first batch');
  writer.write(encodeBatch(batch(1)));
  writer.close();
  assert.deepEqual(
    (await readCapture(file)).map((b) => b.sequence),
    [1],
  );
});

test('a file made for a start that failed is removed; a capture of no batch is a valid empty one', async (t) => {
  const base = dir(t);
  new CaptureWriter(path.join(base, 'failed.avro')).discard();
  assert.equal(existsSync(path.join(base, 'failed.avro')), false);
  const empty = new CaptureWriter(path.join(base, 'empty.avro'));
  empty.close();
  assert.deepEqual(await readCapture(path.join(base, 'empty.avro')), []);
});

test('a capture cut anywhere gives its whole batches, then says it was cut short', async (t) => {
  const file = path.join(dir(t), 'run.avro');
  const writer = new CaptureWriter(file);
  const batches = [1, 2, 3, 4, 5].map(batch);
  for (const b of batches) writer.write(encodeBatch(b));
  writer.close();
  const whole = readFileSync(file);
  assert.equal((await readCapture(file)).length, 5, 'the whole file, without error');
  const cutFile = path.join(dir(t), 'cut.avro');
  // Cut between two blocks, the file is a whole capture of fewer batches: after the header
  // and after each of the first four blocks. Anywhere else, it says it was cut short.
  let wholeCuts = 0;
  for (let cut = 0; cut < whole.length; cut++) {
    writeFileSync(cutFile, whole.subarray(0, cut));
    const read: DecodedBatch[] = [];
    let error: Error | undefined;
    try {
      for await (const b of captureBatches(cutFile)) read.push(b);
    } catch (err) {
      error = err as Error;
    }
    if (error === undefined) wholeCuts++;
    else assert.ok(cut < 4 || error instanceof CaptureCutShort, `cut at ${cut}: ${error.message}`);
    assert.deepEqual(JSON.parse(JSON.stringify(read)), batches.slice(0, read.length));
  }
  assert.equal(wholeCuts, 5);
});
