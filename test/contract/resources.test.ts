/**
 * Resources end to end against a real `paved serve`: a postgres claim gets a real PostgreSQL (PGlite) that a real
 * client reaches with the bound environment; data survives redeploys, restarts and kill -9; environments get their own
 * databases; secrets stay out of every file, event and answer; the exec driver with fixture scripts (success, failure,
 * timeout, garbage); orphaning and release. One platform (restarted in place) for the whole file: PGlite's first
 * start takes seconds.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import type { ClaimPage, ClaimStatus, Deployment, DeploymentEvent, RevealedClaimOutput, ResourceTypeList, ScaffoldTask, ServiceDetails, TaskEventsPage } from '../../src/core/api/types';
import { answers, call, followDeployment, pidAlive, portBase, repoRoot, serve, tempDir, type Served } from './helpers';

const FIXTURES = path.join(repoRoot, 'test', 'fixtures', 'resources');

/** Every file under `dir` whose bytes contain `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesContaining(p, needle));
    else if (e.isFile() && fs.readFileSync(p).includes(needle)) out.push(p);
  }
  return out;
}

/** The environment of the process that carries all of `marks` (e.g. PAVED_SERVICE=notes). */
function processWith(marks: string[]): { pid: number; env: Record<string, string> } | undefined {
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let raw: string;
    try {
      raw = fs.readFileSync(`/proc/${name}/environ`, 'utf8');
    } catch {
      continue;
    }
    const vars = raw.split('\0');
    if (!marks.every((m) => vars.includes(m)) || !pidAlive(Number(name))) continue;
    return { pid: Number(name), env: Object.fromEntries(vars.filter((v) => v.includes('=')).map((v) => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)])) };
  }
  return undefined;
}

async function deploy(s: Served, service: string, body: Record<string, unknown>): Promise<{ events: DeploymentEvent[]; deployment: Deployment }> {
  const r = await call<Deployment>(s, 'POST', `/v1/services/${service}/deployments`, { body: { healthTimeoutSeconds: 60, ...body } });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  return followDeployment(s, r.body.id);
}

const messages = (events: DeploymentEvent[], step?: string) => events.filter((e) => step === undefined || e.step === step).map((e) => e.message);

async function json(url: string, init?: RequestInit): Promise<any> {
  const r = await fetch(url, init);
  return r.json();
}

async function sql(url: string, query: string): Promise<unknown[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(query)).rows;
  } finally {
    await c.end();
  }
}

function writeCacher(dir: string, extraClaim?: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'paved.yaml'),
    [
      'apiVersion: paved.dev/v1',
      'kind: Service',
      'metadata: { name: cacher, owner: team-a }',
      'spec:',
      '  runtime: { name: node }',
      '  run: { command: node server.js }',
      '  health: { path: /healthz }',
      '  claims:',
      ...(extraClaim === 'none' ? [] : ['    cache: { type: fixture-cache, params: { sizeMb: 64 } }']),
      ...(extraClaim && extraClaim !== 'none' ? [`    extra: { type: ${extraClaim} }`] : []),
      '  env:',
      '    GREETING: hi',
      ...(extraClaim === 'none' ? [] : ['    CACHE_HOST: ${claims.cache.host}', '    CACHE_PASSWORD: ${claims.cache.password}']),
      ...(extraClaim && extraClaim !== 'none' ? ['    EXTRA_HOST: ${claims.extra.host}'] : []),
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(dir, 'server.js'),
    `require('http').createServer((req, res) => { res.end(JSON.stringify({ host: process.env.CACHE_HOST ?? null, passwordLength: (process.env.CACHE_PASSWORD ?? '').length })); }).listen(Number(process.env.PORT), '127.0.0.1');\nprocess.on('SIGTERM', () => process.exit(0));\n`,
  );
}

describe('Platform API contract: resources (claims, provisioning, release)', function () {
  this.timeout(600000);
  let s: Served;
  let ws: string;
  let stateDir: string;
  let markers: string;
  let args: string[];
  let stagingUrl: string;
  let dbUrl: string;
  const env = () => ({ FIXTURE_MARKERS: markers });

  before(async () => {
    ws = tempDir('res-ws');
    const scaffolded = tempDir('res-scaffolded');
    stateDir = tempDir('res-state');
    markers = tempDir('res-markers');
    writeCacher(path.join(ws, 'cacher'));
    args = ['--state-dir', stateDir, '--workspace', ws, '--workspace', scaffolded, '--resources', FIXTURES, '--port-base', String(portBase()), '--idle-timeout', '0'];
    s = await serve(args, env());
    // The golden path that uses a database, scaffolded by the platform into the workspace.
    const c = await call<ScaffoldTask>(s, 'POST', '/v1/scaffold-tasks', { body: { templateId: 'postgres-http-service', values: { name: 'notes', owner: 'team-a' } } });
    assert.equal(c.status, 201);
    for (let after = 0; ; ) {
      const ev = await call<TaskEventsPage>(s, 'GET', `/v1/scaffold-tasks/${c.body.id}/events?after=${after}&wait=10`);
      after = ev.body.lastSeq;
      if (ev.body.done) break;
    }
    const task = (await call<ScaffoldTask>(s, 'GET', `/v1/scaffold-tasks/${c.body.id}`)).body;
    assert.equal(task.state, 'succeeded', task.error);
    for (const f of task.result?.files ?? []) {
      fs.mkdirSync(path.dirname(path.join(scaffolded, 'notes', f.path)), { recursive: true });
      fs.writeFileSync(path.join(scaffolded, 'notes', f.path), f.content, { mode: f.mode });
    }
    // As the editor does after writing a new service: attaching the folder rescans it at once.
    assert.equal((await call(s, 'PUT', '/v1/workspaces/scaffolded', { body: { folders: [scaffolded] } })).status, 200);
  });

  after(async () => {
    if (s) assert.equal(await s.stop(), 0);
    assert.equal(processWith([`PAVED_RESOURCE_ID=notes.staging.db`]), undefined, 'the platform stops its database processes when it stops');
  });

  it('GET /v1/resource-types: the built-in types and the definition files; an invalid file is reported, not served', async () => {
    const r = await call<ResourceTypeList>(s, 'GET', '/v1/resource-types');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.items.map((t) => [t.type, t.driver]), [['postgres', 'postgres'], ['volume', 'volume'], ['fixture-cache', 'exec'], ['fixture-failing', 'exec'], ['fixture-garbage', 'exec'], ['fixture-slow', 'exec']]);
    const pg = r.body.items[0];
    assert.deepEqual(pg.outputs.map((o) => [o.name, o.secret]), [['host', false], ['port', false], ['database', false], ['username', false], ['password', true], ['url', true]]);
    assert.deepEqual([pg.mainOutput, pg.mainEnv, pg.classes.map((c) => c.name)], ['url', 'DATABASE_URL', ['small']]);
    const cache = r.body.items[2];
    assert.deepEqual([cache.source, cache.params.properties], [path.join(FIXTURES, 'cache.yaml'), { sizeMb: { type: 'integer', minimum: 1 } }]);
    assert.equal('exec' in cache, false, 'the driver commands are not part of the API');
    assert.match(s.stderr(), /invalid\.yaml: not a resource type definition: \/spec must have required property 'outputs'/);
  });

  it('postgres: the deployment provisions the database, builds (its tests run against it), starts with DATABASE_URL bound; a real client reads what the service wrote', async () => {
    const { events, deployment } = await deploy(s, 'notes', { environment: 'staging' });
    assert.equal(deployment.state, 'succeeded', deployment.error);
    stagingUrl = deployment.url as string;
    const steps = events.filter((e) => e.type === 'step').map((e) => e.step);
    assert.deepEqual([...new Set(steps)], ['snapshot', 'provision', 'build', 'start', 'switch']);
    const provision = messages(events, 'provision');
    assert.equal(provision[0], 'provisioning db (postgres, small)…');
    assert.ok(provision.some((m) => /^starting PGlite on 127\.0\.0\.1:\d+ \(new database: initialising\)$/.test(m)), provision.join('\n'));
    assert.match(provision[provision.length - 1], /^provisioning db \(postgres, small\)… ready in [\d.]+ s \(host 127\.0\.0\.1, port \d+, database postgres, username postgres\)$/);
    // Build output comes in batches of lines (one event per batch).
    const build = messages(events, 'build').flatMap((m) => m.split('\n'));
    assert.ok(build.includes('# pass 1') && build.includes('# fail 0') && build.includes('# skipped 0'), `the golden path's tests ran against the database:\n${build.join('\n')}`);

    assert.equal((await fetch(`${stagingUrl}/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'first' }) })).status, 201);
    assert.deepEqual((await json(`${stagingUrl}/notes`)).notes.map((n: { text: string }) => n.text), ['first']);

    // The environment the platform bound into the service's process, and a real client with it.
    const proc = processWith(['PAVED_SERVICE=notes', 'PAVED_ENVIRONMENT=staging', `PAVED_RELEASE=${deployment.release}`]);
    assert.ok(proc, 'the service process runs');
    dbUrl = proc.env.DATABASE_URL;
    assert.match(dbUrl, /^postgresql:\/\/postgres:[0-9a-f]{32}@127\.0\.0\.1:\d+\/postgres$/);
    assert.deepEqual(await sql(dbUrl, 'SELECT text FROM notes ORDER BY id'), [{ text: 'first' }]);
    await assert.rejects(sql(dbUrl.replace(/:[0-9a-f]{32}@/, ':wrong-password@'), 'SELECT 1'), /password authentication failed for user "postgres"/);

    // The same URL through the one endpoint that reveals a secret output, and only to the platform token.
    const revealed = await call<RevealedClaimOutput>(s, 'POST', '/v1/services/notes/claims/db/reveal', { body: { environment: 'staging', output: 'url' } });
    assert.deepEqual(revealed.body, { service: 'notes', claim: 'db', environment: 'staging', output: 'url', secret: true, value: dbUrl });
    assert.equal(revealed.headers.get('cache-control'), 'no-store');
    const readOnly = await call(s, 'POST', '/v1/services/notes/claims/db/reveal', { body: { environment: 'staging', output: 'url' }, token: s.readOnlyToken });
    assert.equal(readOnly.status, 403);
    assert.equal((await call(s, 'POST', '/v1/services/notes/claims/db/reveal', { body: { environment: 'staging', output: 'nope' } })).status, 404);
    assert.match(s.stderr(), /revealed output url of claim db \(notes, staging\) \(secret\)/);

    const details = await call<ServiceDetails>(s, 'GET', '/v1/services/notes');
    const byEnv = Object.fromEntries((details.body.claims ?? []).map((c) => [c.environment, c]));
    const port = new URL(dbUrl).port;
    assert.deepEqual(byEnv.staging, {
      service: 'notes',
      claim: 'db',
      environment: 'staging',
      type: 'postgres',
      class: 'small',
      state: 'ready',
      resourceId: 'notes.staging.db',
      outputs: { host: '127.0.0.1', port, database: 'postgres', username: 'postgres', password: '********', url: '********' },
      secretOutputs: ['password', 'url'],
      updatedAt: byEnv.staging.updatedAt,
    });
    assert.deepEqual([byEnv.local.state, byEnv.production.state, byEnv.production.reason], ['pending', 'pending', 'provisioned by the next deployment to production']);
  });

  it('secrets stay in the process environment: in no file of the state dir, no event, no API answer', async () => {
    const password = new URL(dbUrl).password;
    assert.deepEqual(filesContaining(stateDir, password), []);
    for (const p of ['/v1/services/notes', '/v1/claims', '/v1/services/notes/deployments', '/v1/resource-types']) {
      const r = await fetch(`${s.url}${p}`, { headers: { authorization: `Bearer ${s.token}` } });
      assert.equal((await r.text()).includes(password), false, p);
    }
    const deployments = (await call(s, 'GET', '/v1/services/notes/deployments')).body.items as Deployment[];
    for (const d of deployments) {
      const r = await fetch(`${s.url}/v1/deployments/${d.id}/events`, { headers: { authorization: `Bearer ${s.token}` } });
      assert.equal((await r.text()).includes(password), false);
    }
  });

  it('redeploying keeps the data; production gets a database of its own', async () => {
    const again = await deploy(s, 'notes', { environment: 'staging' });
    assert.equal(again.deployment.state, 'succeeded', again.deployment.error);
    assert.ok(messages(again.events, 'provision').some((m) => /^PostgreSQL \(PGlite\) already serving on 127\.0\.0\.1:\d+$/.test(m)));
    stagingUrl = again.deployment.url as string;
    assert.deepEqual((await json(`${stagingUrl}/notes`)).notes.map((n: { text: string }) => n.text), ['first']);

    const prod = await deploy(s, 'notes', { environment: 'production', approved: true });
    assert.equal(prod.deployment.state, 'succeeded', prod.deployment.error);
    await fetch(`${prod.deployment.url}/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'prod-only' }) });
    assert.deepEqual((await json(`${prod.deployment.url}/notes`)).notes.map((n: { text: string }) => n.text), ['prod-only']);
    assert.deepEqual((await json(`${stagingUrl}/notes`)).notes.map((n: { text: string }) => n.text), ['first']);
    const claims = (await call<ClaimPage>(s, 'GET', '/v1/claims?service=notes')).body.items;
    assert.deepEqual(claims.map((c) => [c.environment, c.resourceId, c.state]), [['production', 'notes.production.db', 'ready'], ['staging', 'notes.staging.db', 'ready']]);
    assert.notEqual(claims[0].outputs.port, claims[1].outputs.port);
  });

  it('exec driver: outputs from the JSON on stdout (secret ones sealed), stderr in the deployment log, not run again when unchanged', async () => {
    const { events, deployment } = await deploy(s, 'cacher', { environment: 'local' });
    assert.equal(deployment.state, 'succeeded', deployment.error);
    const provision = events.filter((e) => e.step === 'provision');
    assert.deepEqual(
      provision.map((e) => [e.type, e.stream, e.message]),
      [
        ['step', undefined, 'provisioning cache (fixture-cache, standard)…'],
        ['log', 'stdout', '$ sh provision-ok.sh'],
        ['log', 'stderr', 'creating cache for cacher/local (claim cache, class standard, params {"sizeMb":64})'],
        ['step', undefined, provision[3].message],
      ],
    );
    assert.match(provision[3].message, /^provisioning cache \(fixture-cache, standard\)… ready in [\d.]+ s \(host cache\.local\.internal, port 6379\)$/);
    assert.deepEqual(await json(`${deployment.url}/`), { host: 'cache.local.internal', passwordLength: 24 });
    const password = processWith(['PAVED_SERVICE=cacher', 'PAVED_ENVIRONMENT=local'])?.env.CACHE_PASSWORD ?? '';
    assert.match(password, /^[0-9a-f]{24}$/);
    assert.deepEqual(filesContaining(stateDir, password), [], 'the secret output is stored sealed');
    const revealed = await call<RevealedClaimOutput>(s, 'POST', '/v1/services/cacher/claims/cache/reveal', { body: { environment: 'local', output: 'password' } });
    assert.equal(revealed.body.value, password);

    const again = await deploy(s, 'cacher', { environment: 'local' });
    assert.equal(again.deployment.state, 'succeeded');
    assert.deepEqual(messages(again.events, 'provision'), ['provisioning cache (fixture-cache, standard)…', 'provisioning cache (fixture-cache, standard)… ready (provisioned before, unchanged)']);
    assert.equal(fs.readFileSync(path.join(markers, 'provisioned'), 'utf8'), 'cacher.local.cache\n');
  });

  it('a failing, a timed-out and a garbage-printing provisioning fail the deployment with a clear event; the running release keeps serving', async () => {
    const serving = (await call<ServiceDetails>(s, 'GET', '/v1/services/cacher')).body.environments.find((e) => e.environment === 'local')!;
    for (const [type, reason, stderr] of [
      ['fixture-failing', 'the provision command exited with 3: quota exceeded for cacher', 'quota exceeded for cacher'],
      ['fixture-slow', 'the provision command timed out after 1s', 'waiting for the cloud'],
      ['fixture-garbage', 'the provision command printed no JSON object on stdout (31 bytes, ending "Apply complete!\\nhost = 10.0.0.1"); it must print the outputs as one JSON object', undefined],
    ]) {
      writeCacher(path.join(ws, 'cacher'), type);
      const { events, deployment } = await deploy(s, 'cacher', { environment: 'local' });
      assert.equal(deployment.state, 'failed', type);
      assert.equal(deployment.error, `provisioning extra (${type}, standard) failed: ${reason}`);
      const last = events[events.length - 1];
      assert.deepEqual([last.type, last.message], ['failed', `provisioning extra (${type}, standard) failed: ${reason}; nothing changed in local`]);
      if (stderr) assert.ok(events.some((e) => e.type === 'log' && e.stream === 'stderr' && e.message === stderr), `${type}: its stderr is in the log`);
      assert.equal(await answers(serving.url as string), 200, `${serving.url} still serves after ${type}`);
      const claim = (await call<ServiceDetails>(s, 'GET', '/v1/services/cacher')).body.claims?.find((c) => c.claim === 'extra' && c.environment === 'local');
      assert.deepEqual([claim?.state, claim?.reason], ['failed', reason]);
    }
    writeCacher(path.join(ws, 'cacher'));
  });

  it('removing a claim orphans it (kept, data intact); only an orphaned claim is released, idempotently', async () => {
    writeCacher(path.join(ws, 'cacher'), 'none');
    const { events, deployment } = await deploy(s, 'cacher', { environment: 'local' });
    assert.equal(deployment.state, 'succeeded', deployment.error);
    assert.ok(messages(events, 'provision').includes('claim cache is no longer in the manifest: its fixture-cache (resource cacher.local.cache) is kept, orphaned, until released with: paved resources release cacher cache --env local'));
    const orphan = (await call<ClaimPage>(s, 'GET', '/v1/claims?state=orphaned')).body.items;
    assert.deepEqual(orphan.map((c: ClaimStatus) => [c.service, c.claim, c.environment, c.state]), [['cacher', 'cache', 'local', 'orphaned']]);
    assert.equal(fs.existsSync(path.join(markers, 'deprovisioned-cacher.local.cache')), false, 'nothing deprovisioned by a deployment');

    const inUse = await call(s, 'DELETE', '/v1/services/notes/claims/db?environment=staging');
    assert.equal(inUse.status, 409);
    assert.match(inUse.body.detail, /claim db of notes is still in use in staging/);
    assert.equal((await call(s, 'DELETE', '/v1/services/cacher/claims/cache?environment=local', { token: s.readOnlyToken })).status, 403);
    assert.equal((await call(s, 'DELETE', '/v1/services/cacher/claims/cache?environment=local')).status, 204);
    const deprovisioned = JSON.parse(fs.readFileSync(path.join(markers, 'deprovisioned-cacher.local.cache'), 'utf8'));
    assert.deepEqual([deprovisioned.host, deprovisioned.port, deprovisioned.password.length], ['cache.local.internal', '6379', 24]);
    assert.equal((await call(s, 'DELETE', '/v1/services/cacher/claims/cache?environment=local')).status, 204, 'a repeated release answers the same');
    assert.equal((await call(s, 'DELETE', '/v1/services/cacher/claims/nope?environment=local')).status, 404);
    assert.equal((await call(s, 'DELETE', '/v1/services/cacher/claims/cache')).status, 400, 'the environment is required');
    assert.deepEqual((await call<ClaimPage>(s, 'GET', '/v1/claims?service=cacher')).body.items, []);
  });

  it('a platform restart and a kill -9 keep the data; a killed platform’s database process is adopted', async () => {
    assert.equal(await s.stop(), 0);
    assert.equal(processWith(['PAVED_RESOURCE_ID=notes.staging.db']), undefined, 'stopped with the platform');
    s = await serve(args, env());
    const afterRestart = await deploy(s, 'notes', { environment: 'staging' });
    assert.equal(afterRestart.deployment.state, 'succeeded', afterRestart.deployment.error);
    assert.ok(messages(afterRestart.events, 'provision').some((m) => /^starting PGlite on 127\.0\.0\.1:\d+ \(existing data\)$/.test(m)));
    stagingUrl = afterRestart.deployment.url as string;
    assert.deepEqual((await json(`${stagingUrl}/notes`)).notes.map((n: { text: string }) => n.text), ['first']);
    assert.deepEqual(await sql(dbUrl, 'SELECT text FROM notes ORDER BY id'), [{ text: 'first' }], 'the same URL after a restart (same port, same password)');

    const db = processWith(['PAVED_RESOURCE_ID=notes.staging.db']);
    assert.ok(db);
    await s.kill9();
    s = await serve(args, env());
    assert.ok(pidAlive(db.pid), 'the database process outlives a killed platform and is adopted');
    assert.match(s.stderr(), /adopted notes\/staging/);
    assert.deepEqual((await json(`${stagingUrl}/notes`)).notes.map((n: { text: string }) => n.text), ['first'], 'the adopted service still reads its data');
    const claim = (await call<ServiceDetails>(s, 'GET', '/v1/services/notes')).body.claims?.find((c) => c.environment === 'staging');
    assert.equal(claim?.state, 'ready');
    const redeploy = await deploy(s, 'notes', { environment: 'staging' });
    assert.equal(redeploy.deployment.state, 'succeeded');
    assert.ok(messages(redeploy.events, 'provision').some((m) => m.startsWith('PostgreSQL (PGlite) already serving')));
    assert.equal(processWith(['PAVED_RESOURCE_ID=notes.staging.db'])?.pid, db.pid);
    assert.deepEqual(await sql(dbUrl, 'SELECT text FROM notes ORDER BY id'), [{ text: 'first' }]);
  });
});
