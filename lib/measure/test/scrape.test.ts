import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { scrape } from '../src/index.js';

test('scrape reads the text, and fails naming an answer other than 2xx', async (t) => {
  const server = createServer((request, response) => {
    if (request.url === '/metrics') response.end('up 1\n');
    else response.writeHead(404).end('not here');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  assert.equal(await scrape(`${base}/metrics`), 'up 1\n');
  await assert.rejects(scrape(`${base}/other`), new Error(`${base}/other answered HTTP 404`));
});

test('scrape gives up after its timeout', async (t) => {
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  await assert.rejects(scrape(url, 100), /timeout|aborted/i);
});
