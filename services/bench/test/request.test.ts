import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommand } from '../src/settings.js';
import { serializeRequest } from '../src/target.js';

function requestFor(argv: string[]): string {
  const command = parseCommand(argv);
  assert.equal(command.kind, 'run');
  return serializeRequest(command.load).toString('latin1');
}

test('a GET carries Host and the path with its query', () => {
  assert.equal(
    requestFor(['-url', 'http://127.0.0.1:8080/work?ms=2']),
    'GET /work?ms=2 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n',
  );
});

test('method, headers and body as given, with Content-Length', () => {
  assert.equal(
    requestFor([
      '-url',
      'http://h/x',
      '-method',
      'post',
      '-H',
      'Content-Type: text/plain',
      '-body',
      'héllo',
    ]),
    'POST /x HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nh\u00c3\u00a9llo',
  );
});

test('a Host header given replaces the default one', () => {
  assert.equal(
    requestFor(['-url', 'http://127.0.0.1:1/', '-H', 'host: example.test']),
    'GET / HTTP/1.1\r\nhost: example.test\r\n\r\n',
  );
});
