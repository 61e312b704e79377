import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { DEFAULT_PORT, OWNER, SERVICE, portFromEnv, start } from '../src/server';

async function withServer(fn: (base: string) => Promise<void>): Promise<void> {
  const server = await start(0, '127.0.0.1');
  const { port } = server.address() as AddressInfo;
  try {
    await fn(`http://127.0.0.1:${port}`);
  } finally {
    server.close();
    server.closeAllConnections();
  }
}

test('GET /healthz answers 200 with the service name', async () => {
  await withServer(async (base) => {
    const res = await fetch(`${base}/healthz`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.deepEqual(await res.json(), { status: 'ok', service: SERVICE });
  });
});

test('GET / says hello with the service and its owner', async () => {
  await withServer(async (base) => {
    const res = await fetch(`${base}/`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { service: SERVICE, owner: OWNER, message: `Hello from ${SERVICE}` });
  });
});

test('unknown paths are 404 and other methods are 405 with Allow', async () => {
  await withServer(async (base) => {
    const missing = await fetch(`${base}/nope`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: 'not found', path: '/nope' });
    const post = await fetch(`${base}/healthz`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
  });
});

test('PORT comes from the environment, defaults, and bad values are refused by name', () => {
  assert.equal(portFromEnv({}), DEFAULT_PORT);
  assert.equal(portFromEnv({ PORT: '' }), DEFAULT_PORT);
  assert.equal(portFromEnv({ PORT: '9090' }), 9090);
  assert.equal(portFromEnv({ PORT: '0' }), 0);
  assert.throws(() => portFromEnv({ PORT: 'http' }), { message: 'PORT must be a whole number from 0 to 65535, got "http"' });
  assert.throws(() => portFromEnv({ PORT: '70000' }), { message: 'PORT must be a whole number from 0 to 65535, got "70000"' });
  assert.throws(() => portFromEnv({ PORT: '-1' }), { message: 'PORT must be a whole number from 0 to 65535, got "-1"' });
});

test('the built server listens on PORT, answers /healthz and exits 0 on SIGTERM', { timeout: 20_000 }, async (t) => {
  // Compiled layout: this file runs as dist/test/server.test.js, the server is dist/src/server.js.
  const entry = path.join(__dirname, '..', 'src', 'server.js');
  const child = spawn(process.execPath, [entry], { env: { ...process.env, PORT: '0', HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'inherit'] });
  // On a timeout the test fails; a server that ignored SIGTERM must not outlive it.
  t.signal.addEventListener('abort', () => child.kill('SIGKILL'));
  const closed = once(child, 'close');
  const lines = createInterface({ input: child.stdout });
  const linesDone = once(lines, 'close');
  const output: string[] = [];
  const listening = new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      output.push(line);
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code, signal) => reject(new Error(`the server exited (${code ?? signal}) before listening: ${output.join(' | ')}`)));
  });
  const base = await listening;
  const res = await fetch(`${base}/healthz`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: 'ok', service: SERVICE });
  assert.ok(child.kill('SIGTERM'));
  const [code, signal] = await closed;
  await linesDone;
  assert.deepEqual([code, signal], [0, null]);
  assert.deepEqual(output, [`${SERVICE} listening on ${base}`, `${SERVICE}: SIGTERM received, closing`, `${SERVICE}: stopped`]);
});
