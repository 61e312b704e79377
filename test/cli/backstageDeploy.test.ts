/**
 * `paved deploy --backend backstage`: an entity annotated `paved.dev/platform-api` deploys through the Paved platform it
 * names — a real `paved serve` here — with that platform's token (PAVED_DEPLOY_TOKEN, sent only to --deploy-url),
 * never the Backstage one. The CLI as a process, against the fake Backstage. Run: npm run test:cli
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { portBase, repoRoot, serve, tempDir, writeServer, type Served } from '../contract/helpers';
import { startFakeBackstage, type FakeBackstage } from '../unit/platform/backstage/fakeBackstage';
import { buildCli, runCli, type CliRun } from './helpers';

const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PAVED_')));

describe('paved deploy through a Backstage entity’s Paved platform (paved.dev/platform-api)', function () {
  this.timeout(120_000);
  let bundle = '';
  let served: Served;
  let fake: FakeBackstage;
  let stateDir: string;
  let work: string;
  const ref = 'component:default/delegated-svc';

  function paved(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
    return runCli(bundle, [...args, '--backend', 'backstage', '--url', fake.url], { cwd: repoRoot, env: { ...cleanEnv, PAVED_STATE_DIR: stateDir, PAVED_TOKEN: fake.token, ...env } });
  }

  before(async () => {
    bundle = buildCli('backstage-deploy');
    stateDir = tempDir('cli-bs-state');
    work = tempDir('cli-bs-work');
    const svc = path.join(work, 'svc-delegate');
    fs.mkdirSync(svc, { recursive: true });
    fs.writeFileSync(
      path.join(svc, 'paved.yaml'),
      ['apiVersion: paved.dev/v1', 'kind: Service', 'metadata:', '  name: svc-delegate', '  owner: team-a', '  lifecycle: experimental', 'spec:', '  runtime: { name: node, version: "20" }', '  run: { command: node server.js, port: 8080 }', '  health: { path: /healthz }', ''].join('\n'),
    );
    writeServer(svc, 200);
    served = await serve(['--port', '0', '--state-dir', stateDir, '--port-base', String(portBase()), '--workspace', work, '--idle-timeout', '0'], {}, bundle);
    fake = await startFakeBackstage({ stepDelayMs: 1 });
    fake.addEntity({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'delegated-svc', annotations: { 'paved.dev/platform-api': `${served.url}/`, 'paved.dev/service': 'svc-delegate' } },
      spec: { type: 'service', lifecycle: 'experimental', owner: 'team-a' },
    });
  });
  after(async () => {
    await fake?.close();
    await served?.stop();
    for (const d of [work, stateDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
    fs.rmSync(bundle, { force: true });
  });
  beforeEach(() => {
    fake.requests.length = 0;
  });

  it('deploys with the Paved platform’s token from PAVED_DEPLOY_TOKEN, waiting for it; Backstage is only asked for the entity', async () => {
    const r = await paved(['deploy', ref, '--env', 'local', '--wait', '--json', '--deploy-url', served.url], { PAVED_DEPLOY_TOKEN: served.token });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^paved deploy: deployment d-\S+ \(deploy svc-delegate → local, r-\S+\) is [a-z-]+\n/);
    const final = (JSON.parse(r.stdout.trim().split('\n').pop()!) as { deployment: { service: string; environment: string; state: string; url: string } }).deployment;
    assert.deepEqual([final.service, final.environment, final.state], ['svc-delegate', 'local', 'succeeded']);
    assert.equal((await fetch(`${final.url}/healthz`)).status, 200);
    assert.ok(fake.requests.length > 0 && fake.requests.every((q) => q.method === 'GET' || q.path.startsWith('/api/catalog/entities/by-refs')), fake.requests.map((q) => `${q.method} ${q.path}`).join(', '));
    assert.ok(fake.requests.every((q) => q.headers.authorization === `Bearer ${fake.token}`), 'Backstage sees only its own token');
  });

  it('PAVED_DEPLOY_URL works like --deploy-url; rollback goes the same way', async () => {
    const env = { PAVED_DEPLOY_TOKEN: served.token, PAVED_DEPLOY_URL: `${served.url}/` };
    const second = await paved(['deploy', ref, '--env', 'local', '--wait'], env);
    assert.equal(second.code, 0, second.stderr);
    const r = await paved(['rollback', ref, '--env', 'local', '--wait', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    const final = (JSON.parse(r.stdout.trim().split('\n').pop()!) as { deployment: { kind: string; service: string; state: string } }).deployment;
    assert.deepEqual([final.kind, final.service, final.state], ['rollback', 'svc-delegate', 'succeeded']);
  });

  it('without a token for that platform, or with --deploy-url naming another one, nothing is deployed and the message says what to set', async () => {
    const before = await (await fetch(`${served.url}/v1/services/svc-delegate/deployments`, { headers: { authorization: `Bearer ${served.token}` } })).json() as { items: unknown[] };
    const none = await paved(['deploy', ref, '--env', 'local'], {});
    assert.equal(none.code, 1);
    assert.equal(
      none.stderr,
      `paved deploy: ${ref} deploys through the Paved platform at ${served.url}/. To deploy it, set PAVED_DEPLOY_TOKEN to a token of that platform and pass --deploy-url ${served.url} (or PAVED_DEPLOY_URL); Paved sends that token to that platform only, never the Backstage token.\n`,
    );
    const elsewhere = await paved(['deploy', ref, '--env', 'local', '--deploy-url', 'https://other.example.com'], { PAVED_DEPLOY_TOKEN: served.token });
    assert.equal(elsewhere.code, 1);
    assert.match(elsewhere.stderr, /--deploy-url names https:\/\/other\.example\.com: PAVED_DEPLOY_TOKEN is not sent anywhere else/);
    const after = await (await fetch(`${served.url}/v1/services/svc-delegate/deployments`, { headers: { authorization: `Bearer ${served.token}` } })).json() as { items: unknown[] };
    assert.equal(after.items.length, before.items.length, 'no deployment was requested');
  });

  it('an entity without the annotation cannot be deployed, and says how to fix it', async () => {
    const r = await paved(['deploy', 'ledger', '--env', 'local'], { PAVED_DEPLOY_TOKEN: served.token, PAVED_DEPLOY_URL: served.url });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^paved deploy: Backstage cannot deploy component:ledger\. Backstage has no deploy API\. Annotate the entity with "paved\.dev\/platform-api: https:\/\/…"/);
  });
});
