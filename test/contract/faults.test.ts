/**
 * Fault test: every kind of state file the local platform keeps, damaged in turn, and the platform restarted. It must
 * start, move the damaged file aside with a message saying which file, where it went and what that means, and keep
 * serving the rest of its state. Real `paved serve` processes (the CLI bundled from source).
 * Run: npx mocha --no-package --require tsx/cjs --timeout 120000 test/contract/faults.test.ts
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Deployment, ScaffoldTask } from '../../src/core/api/types';
import { buildCli } from '../cli/helpers';
import { call, followDeployment, portBase, serve, tempDir, writeService, type Served } from './helpers';

/** Bytes a damaged disk block might hold: NULs, then half a record. */
const GARBAGE = '\u0000\u0000\u0000\u0000{"id": "half a rec';

describe('paved serve: a damaged state file is moved aside, and the platform starts', function () {
  this.timeout(300_000);
  let cli: string;
  let pristine: string;
  let ws: string;
  let deploymentId: string;
  let taskId: string;
  const base = portBase();

  before(async () => {
    cli = buildCli('faults');
    ws = tempDir('faults-ws');
    writeService(path.join(ws, 'shop'), 'shop');
    pristine = tempDir('faults-state');
    const s = await serve(['--state-dir', pristine, '--workspace', ws, '--idle-timeout', '0', '--port-base', String(base)], {}, cli);
    try {
      const d = await call<Deployment>(s, 'POST', '/v1/services/shop/deployments', { body: { environment: 'local' } });
      deploymentId = d.body.id;
      assert.equal((await followDeployment(s, deploymentId)).deployment.state, 'succeeded');
      assert.equal((await call(s, 'POST', '/v1/services', { body: { manifest: { apiVersion: 'paved.dev/v1', kind: 'Service', metadata: { name: 'billing', owner: 'team-b' } } } })).status, 201);
      assert.equal((await call(s, 'POST', '/v1/feedback', { body: { service: 'shop', category: 'idea', message: 'more caching' }, headers: { 'Idempotency-Key': 'fb-1' } })).status, 201);
      const t = await call<ScaffoldTask>(s, 'POST', '/v1/scaffold-tasks', { body: { templateId: 'node-http-service', values: { name: 'fresh', owner: 'team-a' } } });
      taskId = t.body.id;
      for (let after = 0; ; ) {
        const ev = await call<{ done: boolean; lastSeq: number }>(s, 'GET', `/v1/scaffold-tasks/${taskId}/events?after=${after}&wait=10`);
        after = ev.body.lastSeq;
        if (ev.body.done) break;
      }
    } finally {
      await s.stop();
    }
  });

  /** Copies the pristine state, damages one file, starts the platform on it. */
  async function startWith(damage: (stateDir: string) => string): Promise<{ s: Served; file: string }> {
    const stateDir = tempDir('faults-copy');
    fs.cpSync(pristine, stateDir, { recursive: true });
    const file = damage(stateDir);
    const s = await serve(['--state-dir', stateDir, '--workspace', ws, '--idle-timeout', '0', '--port-base', String(base)], {}, cli);
    return { s, file };
  }

  const truncate = (file: string) => {
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.slice(0, Math.floor(text.length / 2)));
  };
  /** A damaged record between good ones. */
  const damageMiddle = (file: string) => {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.splice(1, 0, GARBAGE);
    fs.writeFileSync(file, lines.join('\n'));
  };
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

  const documents: { kind: string; file: (dir: string) => string; consequence: RegExp; check: (s: Served) => Promise<void> }[] = [
    {
      kind: 'deployments/<id>.json (a deployment record)',
      file: (dir) => path.join(dir, 'deployments', `${deploymentId}.json`),
      consequence: /went on without that deployment/,
      check: async (s) => {
        assert.equal((await call(s, 'GET', `/v1/deployments/${deploymentId}`)).status, 404);
        assert.equal((await call(s, 'GET', '/v1/services/shop')).status, 200);
      },
    },
    {
      kind: 'slots.json (what runs where)',
      file: (dir) => path.join(dir, 'slots.json'),
      consequence: /started with no service running/,
      check: async (s) => assert.equal((await call(s, 'GET', `/v1/deployments/${deploymentId}`)).body.state, 'succeeded'),
    },
    {
      kind: 'releases/<service>/<id>.json (a release)',
      file: (dir) => {
        const rel = path.join(dir, 'releases', 'shop');
        return path.join(rel, fs.readdirSync(rel).find((f) => f.endsWith('.json'))!);
      },
      consequence: /went on without that release/,
      check: async (s) => assert.equal((await call(s, 'GET', '/v1/services/shop')).status, 200),
    },
    {
      kind: 'tasks/<id>.json (a scaffold task)',
      file: (dir) => path.join(dir, 'tasks', `${taskId}.json`),
      consequence: /went on without that scaffold task/,
      check: async (s) => assert.equal((await call(s, 'GET', `/v1/scaffold-tasks/${taskId}`)).status, 404),
    },
  ];

  for (const d of documents) {
    it(`${d.kind}, half written: moved aside, named in the log, the rest served`, async () => {
      const { s, file } = await startWith((dir) => {
        const f = d.file(dir);
        truncate(f);
        return f;
      });
      try {
        assert.match(s.stderr(), new RegExp(`paved serve: ${esc(file)} is corrupt \\(not valid JSON\\); moved it to ${esc(file)}\\.corrupt-\\S+ and ${d.consequence.source}`));
        // Gone, or written anew by the platform (slots.json).
        if (fs.existsSync(file)) JSON.parse(fs.readFileSync(file, 'utf8'));
        assert.equal(fs.readdirSync(path.dirname(file)).filter((f) => f.startsWith(`${path.basename(file)}.corrupt-`)).length, 1);
        await d.check(s);
        assert.equal((await call(s, 'GET', '/v1/services/billing')).status, 200);
      } finally {
        await s.stop();
      }
    });
  }

  const journals: { kind: string; file: (dir: string) => string; check: (s: Served) => Promise<void> }[] = [
    { kind: 'registrations.jsonl', file: (dir) => path.join(dir, 'registrations.jsonl'), check: async (s) => assert.equal((await call(s, 'GET', '/v1/services/billing')).status, 200) },
    {
      kind: 'feedback.jsonl',
      file: (dir) => path.join(dir, 'feedback.jsonl'),
      check: async (s) => assert.deepEqual((await call<{ items: { message: string }[] }>(s, 'GET', '/v1/feedback')).body.items.map((f) => f.message), ['more caching']),
    },
    {
      kind: 'idempotency.jsonl',
      file: (dir) => path.join(dir, 'idempotency.jsonl'),
      check: async (s) => {
        const again = await call(s, 'POST', '/v1/feedback', { body: { service: 'shop', category: 'idea', message: 'more caching' }, headers: { 'Idempotency-Key': 'fb-1' } });
        assert.equal(again.headers.get('idempotent-replayed'), 'true', 'the good record still replays');
      },
    },
    {
      kind: 'deployments/<id>.events.jsonl',
      file: (dir) => path.join(dir, 'deployments', `${deploymentId}.events.jsonl`),
      check: async (s) => {
        const ev = await call<{ items: { state?: string }[] }>(s, 'GET', `/v1/deployments/${deploymentId}/events`);
        assert.equal(ev.status, 200);
        assert.equal(ev.body.items.at(-1)?.state, 'succeeded');
      },
    },
  ];

  for (const j of journals) {
    it(`${j.kind}, a damaged record between good ones: the good records kept, the damaged file kept aside, named in the log`, async () => {
      const { s, file } = await startWith((dir) => {
        const f = j.file(dir);
        damageMiddle(f);
        return f;
      });
      try {
        await j.check(s);
        assert.match(s.stderr(), new RegExp(`paved serve: ${esc(file)} is corrupt \\(record 2 at byte \\d+: [^)]*\\); kept it as ${esc(file)}\\.corrupt-\\S+ and went on with its \\d+ good record\\(s\\), dropping 1`));
        assert.equal(fs.readFileSync(file, 'utf8').includes('\u0000'), false);
      } finally {
        await s.stop();
      }
    });
  }

  it('serve.json, serve.lock and the token files, damaged: the platform starts and writes them anew', async () => {
    const { s } = await startWith((dir) => {
      fs.writeFileSync(path.join(dir, 'serve.json'), GARBAGE, { mode: 0o600 });
      fs.writeFileSync(path.join(dir, 'serve.lock'), GARBAGE, { mode: 0o600 });
      const old = Date.now() / 1000 - 60;
      fs.utimesSync(path.join(dir, 'serve.lock'), old, old);
      fs.writeFileSync(path.join(dir, 'token'), GARBAGE, { mode: 0o600 });
      fs.writeFileSync(path.join(dir, 'token.readonly'), '', { mode: 0o600 });
      return path.join(dir, 'serve.json');
    });
    try {
      assert.equal((await call(s, 'GET', '/v1/services/billing')).status, 200);
      assert.equal(JSON.parse(fs.readFileSync(path.join(s.stateDir, 'serve.json'), 'utf8')).pid, s.pid);
      assert.equal(fs.readFileSync(path.join(s.stateDir, 'serve.lock'), 'utf8'), String(s.pid));
    } finally {
      await s.stop();
    }
  });
});
