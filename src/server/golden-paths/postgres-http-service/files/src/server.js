// @ts-check
'use strict';
const http = require('node:http');
const { Pool } = require('pg');

/**
 * Creates the table when it is not there yet (on every start: idempotent).
 * @param {import('pg').Pool} pool
 * @param {string} table
 */
async function migrate(pool, table) {
  await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (id serial PRIMARY KEY, text text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
}

/** @param {http.IncomingMessage} req */
function readJson(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
      if (body.length > 64 * 1024) reject(new Error('body too large'));
    });
    req.on('end', () => {
      try {
        resolve(body === '' ? {} : JSON.parse(body));
      } catch (err) {
        reject(err);
      }
    });
    req.on('error', reject);
  });
}

/**
 * The request handler over a pool and a table. Exported for the tests.
 * @param {import('pg').Pool} pool
 * @param {string} table
 */
function createHandler(pool, table) {
  /** @param {http.ServerResponse} res @param {number} status @param {unknown} body */
  const send = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  /** @param {http.IncomingMessage} req @param {http.ServerResponse} res */
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (url.pathname === '/healthz') {
        await pool.query('SELECT 1');
        return send(res, 200, { status: 'ok', service: '{{name}}', database: 'ok' });
      }
      if (url.pathname === '/notes' && req.method === 'POST') {
        const body = /** @type {{ text?: unknown }} */ (await readJson(req));
        if (typeof body.text !== 'string' || body.text === '') return send(res, 400, { error: 'send {"text": "…"}' });
        const r = await pool.query(`INSERT INTO ${table} (text) VALUES ($1) RETURNING id, text, created_at`, [body.text]);
        return send(res, 201, r.rows[0]);
      }
      if (url.pathname === '/notes' && req.method === 'GET') {
        const r = await pool.query(`SELECT id, text, created_at FROM ${table} ORDER BY id`);
        return send(res, 200, { notes: r.rows });
      }
      return send(res, 404, { error: 'not found' });
    } catch (err) {
      // Never the connection string: only what went wrong.
      return send(res, 503, { error: err instanceof Error ? err.message : String(err) });
    }
  };
}

async function start() {
  if (!process.env.DATABASE_URL) {
    console.error('DATABASE_URL is not set: deploy with Paved (it provisions the database and binds it), or set it yourself.');
    process.exit(1);
  }
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 5 });
  await migrate(pool, 'notes');
  const port = Number(process.env.PORT ?? 8080);
  const server = http.createServer((req, res) => void createHandler(pool, 'notes')(req, res));
  server.listen(port, '127.0.0.1', () => console.log(`{{name}} listening on http://127.0.0.1:${port}`));
  const stop = () => server.close(() => pool.end().finally(() => process.exit(0)));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

module.exports = { createHandler, migrate };

if (require.main === module) {
  start().catch((err) => {
    console.error(`{{name}} could not start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
