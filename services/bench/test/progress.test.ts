import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgressLine } from '../src/progress.js';

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = {
    isTTY,
    write: (text: string) => written.push(text) > 0,
  } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

test('a live line on a terminal, rewritten in place and cleared', () => {
  const { stream, written } = fakeStream(true);
  const line = new ProgressLine(stream);
  line.update({ elapsedMs: 1000, durationMs: 20_000, requests: 30_000, errors: 2 });
  line.update({ elapsedMs: 2000, durationMs: 20_000, requests: 55_000, errors: 2 });
  line.clear();
  assert.deepEqual(written, [
    '\r\x1b[2K  1/20s  30000 responses  30000 req/s  2 errors',
    '\r\x1b[2K  2/20s  55000 responses  25000 req/s  2 errors',
    '\r\x1b[2K',
  ]);
});

test('silent when the stream is not a terminal', () => {
  const { stream, written } = fakeStream(false);
  const line = new ProgressLine(stream);
  line.update({ elapsedMs: 1000, durationMs: 20_000, requests: 1, errors: 0 });
  line.clear();
  assert.deepEqual(written, []);
});
