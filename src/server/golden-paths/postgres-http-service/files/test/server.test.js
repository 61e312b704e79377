'use strict';
// Runs against the database in DATABASE_URL: in a Paved deployment, the one the platform provisioned for the
// environment (the build runs these tests). Each run uses a table of its own and drops it.
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { Pool } = require('pg');
const { createHandler, migrate } = require('../src/server.js');

const url = process.env.DATABASE_URL;
const skip = url ? false : 'DATABASE_URL is not set (a Paved deployment binds it; or point it at a database)';

test('writes a note and reads it back from PostgreSQL', { skip }, async () => {
  const pool = new Pool({ connectionString: url, max: 2 });
  const table = `notes_test_${process.pid}`;
  await migrate(pool, table);
  const server = http.createServer((req, res) => void createHandler(pool, table)(req, res));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const base = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;
  try {
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    const created = await fetch(`${base}/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'hello' }) });
    assert.equal(created.status, 201);
    const list = /** @type {{ notes: { text: string }[] }} */ (await (await fetch(`${base}/notes`)).json());
    assert.deepEqual(list.notes.map((n) => n.text), ['hello']);
    assert.equal((await fetch(`${base}/notes`, { method: 'POST', body: '{}' })).status, 400);
  } finally {
    server.close();
    await pool.query(`DROP TABLE IF EXISTS ${table}`);
    await pool.end();
  }
});
