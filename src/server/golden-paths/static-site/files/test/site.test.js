'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const { handle } = require('../serve.js');

test('the build produced every page', () => {
  const dist = path.join(__dirname, '..', 'dist');
  assert.deepEqual(fs.readdirSync(dist).sort(), ['about.html', 'index.html', 'style.css']);
});

test('serves the home page, health and refuses traversal', async () => {
  const server = http.createServer(handle);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    const home = await fetch(`${base}/`);
    assert.equal(home.status, 200);
    assert.match(await home.text(), /<h1>{{title}}<\/h1>/);
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal((await fetch(`${base}/..%2Fpackage.json`)).status, 404);
  } finally {
    server.close();
  }
});
