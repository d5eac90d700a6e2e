import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { encodeBatch, type DecodedBatch } from '../src/avro.js';
import { CaptureWriter, readCapture } from '../src/capture-file.js';

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
