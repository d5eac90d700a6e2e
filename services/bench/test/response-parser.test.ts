import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BenchError } from '../src/errors.js';
import { parseHead, ResponseParser } from '../src/response-parser.js';

function collect(): { parser: ResponseParser; seen: [number, boolean][] } {
  const seen: [number, boolean][] = [];
  const parser = new ResponseParser((status, keepAlive) => seen.push([status, keepAlive]));
  return { parser, seen };
}

const PONG = 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nContent-Length: 4\r\n\r\npong';
const CHUNKED =
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
  '4\r\nwiki\r\n5;ext=1\r\npedia\r\n0\r\nX-Trailer: 1\r\n\r\n';

test('frames back-to-back Content-Length responses in one chunk', () => {
  const { parser, seen } = collect();
  parser.execute(Buffer.from(PONG + PONG.replace('200 OK', '404 Not Found') + PONG));
  assert.deepEqual(seen, [
    [200, true],
    [404, true],
    [200, true],
  ]);
  assert.equal(parser.midResponse, false);
});

test('frames responses split at every byte boundary', () => {
  const wire = Buffer.from(PONG + CHUNKED + PONG);
  for (let size = 1; size <= 7; size++) {
    const { parser, seen } = collect();
    for (let i = 0; i < wire.length; i += size) parser.execute(wire.subarray(i, i + size));
    assert.deepEqual(
      seen,
      [
        [200, true],
        [200, true],
        [200, true],
      ],
      `chunks of ${size} bytes`,
    );
    assert.equal(parser.midResponse, false);
  }
});

test('a chunked body with extensions and trailers', () => {
  const { parser, seen } = collect();
  parser.execute(Buffer.from(CHUNKED.slice(0, 60)));
  assert.equal(parser.midResponse, true);
  parser.execute(Buffer.from(CHUNKED.slice(60)));
  assert.deepEqual(seen, [[200, true]]);
});

test('a body delimited by close completes at end of stream', () => {
  const { parser, seen } = collect();
  parser.execute(Buffer.from('HTTP/1.0 200 OK\r\n\r\nsome body'));
  assert.deepEqual(seen, []);
  parser.end();
  assert.deepEqual(seen, [[200, false]]);
});

test('responses without bodies: 204, 304, HEAD; 1xx are skipped', () => {
  const { parser, seen } = collect();
  parser.execute(
    Buffer.from(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n',
    ),
  );
  assert.deepEqual(seen, [
    [204, true],
    [304, true],
  ]);
  const head = collect();
  head.parser.bodyless = true;
  head.parser.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n'));
  assert.deepEqual(head.seen, [[200, true]]);
});

test('Connection: close and HTTP/1.0 keep-alive', () => {
  assert.equal(parseHead('HTTP/1.1 200 OK\r\nConnection: close').keepAlive, false);
  assert.equal(parseHead('HTTP/1.0 200 OK').keepAlive, false);
  assert.equal(parseHead('HTTP/1.0 200 OK\r\nConnection: Keep-Alive').keepAlive, true);
  assert.deepEqual(parseHead('HTTP/1.1 503 Service Unavailable\r\ncontent-length: 12'), {
    status: 503,
    contentLength: 12,
    chunked: false,
    keepAlive: true,
  });
});

test('malformed responses are errors', () => {
  for (const bad of [
    'HTTP/2 200 OK\r\n\r\n',
    'garbage\r\n\r\n',
    'HTTP/1.1 200 OK\r\nno-colon\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
  ]) {
    const { parser } = collect();
    assert.throws(
      () => {
        parser.execute(Buffer.from(bad));
      },
      (err: unknown) => err instanceof BenchError && err.code === 'BENCH_MALFORMED_RESPONSE',
      bad,
    );
  }
  const { parser } = collect();
  assert.throws(() => {
    parser.execute(Buffer.alloc(100 * 1024, 'a'));
  }, /response head longer than/);
});
