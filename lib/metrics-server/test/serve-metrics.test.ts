import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { test } from 'node:test';
import { serveMetrics, type Exposition } from '../src/index.js';

const EXPOSITION: Exposition = {
  contentType: 'text/plain; version=0.0.4; charset=utf-8',
  text: '# TYPE up gauge\nup 1\n',
};

async function served(render: () => Promise<Exposition>, onRenderError?: (err: unknown) => void) {
  return serveMetrics({
    host: '127.0.0.1',
    port: 0,
    render,
    ...(onRenderError ? { onRenderError } : {}),
  });
}

test('GET /metrics, with or without a query string, is the rendered text and its content type', async (t) => {
  let renders = 0;
  const server = await served(() => {
    renders++;
    return Promise.resolve(EXPOSITION);
  });
  t.after(() => server.close());
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  assert.equal(server.url, `http://127.0.0.1:${server.port}/metrics`);
  for (const url of [server.url, `${server.url}?x`, `${server.url}?name[]=up`]) {
    const response = await fetch(url);
    assert.equal(response.status, 200, url);
    assert.equal(response.headers.get('content-type'), EXPOSITION.contentType);
    assert.equal(await response.text(), EXPOSITION.text);
  }
  assert.equal(renders, 3, 'read anew at each scrape');
});

test('HEAD /metrics is the same answer without the body', async (t) => {
  const server = await served(() => Promise.resolve(EXPOSITION));
  t.after(() => server.close());
  const response = await fetch(server.url, { method: 'HEAD' });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), EXPOSITION.contentType);
  assert.equal(await response.text(), '');
});

test('another method on /metrics is a 405 naming the ones allowed; another path a 404', async (t) => {
  const server = await served(() => Promise.resolve(EXPOSITION));
  t.after(() => server.close());
  for (const method of ['POST', 'PUT', 'DELETE']) {
    const response = await fetch(server.url, { method });
    assert.equal(response.status, 405, method);
    assert.equal(response.headers.get('allow'), 'GET, HEAD');
    assert.equal(await response.text(), 'method not allowed\n');
  }
  const base = server.url.replace(/\/metrics$/, '');
  for (const path of ['/', '/ping', '/metrics/', '/metricsx', '/Metrics']) {
    const response = await fetch(`${base}${path}`);
    assert.equal(response.status, 404, path);
    assert.equal(await response.text(), 'not found\n');
  }
  assert.equal((await fetch(`${base}/ping`, { method: 'POST' })).status, 404);
});

test('a render that fails is a 500 with its reason, and told to the service', async (t) => {
  const failures: unknown[] = [];
  const unreadable = new Error('cannot read map drops');
  const server = await served(
    () => Promise.reject(unreadable),
    (err) => failures.push(err),
  );
  t.after(() => server.close());
  const response = await fetch(server.url);
  assert.equal(response.status, 500);
  assert.equal(await response.text(), 'Error: cannot read map drops\n');
  assert.deepEqual(failures, [unreadable]);
});

test('a port in use rejects with the listen error; close lets go of kept-alive connections', async (t) => {
  const first = await served(() => Promise.resolve(EXPOSITION));
  t.after(() => first.close());
  await assert.rejects(
    serveMetrics({
      host: '127.0.0.1',
      port: first.port,
      render: () => Promise.resolve(EXPOSITION),
    }),
    { code: 'EADDRINUSE' },
  );
  const server = await served(() => Promise.resolve(EXPOSITION));
  await new Promise<void>((resolve) => {
    request(server.url, { agent: new Agent({ keepAlive: true }) }, (response) => {
      response.resume().on('end', resolve);
    }).end();
  });
  await server.close();
});
