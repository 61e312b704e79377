'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { handle } = require('../src/server.js');

/** @returns {Promise<{ url: string, close: () => void }>} */
function listen() {
  return new Promise((resolve) => {
    const server = http.createServer(handle).listen(0, '127.0.0.1', () => {
      const addr = /** @type {import('node:net').AddressInfo} */ (server.address());
      resolve({ url: `http://127.0.0.1:${addr.port}`, close: () => server.close() });
    });
  });
}

test('GET /healthz answers 200 ok', async () => {
  const s = await listen();
  try {
    const res = await fetch(`${s.url}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok', service: '{{name}}' });
  } finally {
    s.close();
  }
});

test('unknown paths are 404', async () => {
  const s = await listen();
  try {
    const res = await fetch(`${s.url}/nope`);
    assert.equal(res.status, 404);
  } finally {
    s.close();
  }
});

test('every response carries the security headers', async () => {
  const s = await listen();
  try {
    for (const p of ['/', '/healthz', '/nope']) {
      const res = await fetch(`${s.url}${p}`);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', p);
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer', p);
    }
  } finally {
    s.close();
  }
});
