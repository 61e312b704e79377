/**
 * `paved resources` as a process against a real `paved serve`: types, claims with their state per environment (secret
 * outputs masked), and the release of an orphaned claim — asked on the terminal, `--yes` for scripts, idempotent.
 * Run: npm run test:cli
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Deployment } from '../../src/core/api/types';
import { call, followDeployment, portBase, repoRoot, serve, tempDir, type Served } from '../contract/helpers';
import { buildCli, runCli, type CliRun } from './helpers';

const FIXTURES = path.join(repoRoot, 'test', 'fixtures', 'resources');

function writeService(dir: string, claims: boolean): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'paved.yaml'),
    [
      'apiVersion: paved.dev/v1',
      'kind: Service',
      'metadata: { name: shop, owner: team-a }',
      'spec:',
      '  runtime: { name: node }',
      '  run: { command: node server.js }',
      ...(claims ? ['  claims:', '    cache: { type: fixture-cache }', '    files: { type: volume }', '  env:', '    CACHE_PASSWORD: ${claims.cache.password}', '    DATA_DIR: ${claims.files.path}'] : ['  claims:', '    files: { type: volume }', '  env:', '    DATA_DIR: ${claims.files.path}']),
      '',
    ].join('\n'),
  );
  fs.writeFileSync(path.join(dir, 'server.js'), "require('http').createServer((q, r) => r.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');\nprocess.on('SIGTERM', () => process.exit(0));\n");
}

describe('paved resources (CLI)', function () {
  this.timeout(120_000);
  let s: Served;
  let bundle: string;
  let ws: string;
  let markers: string;

  const paved = (args: string[], input?: string): Promise<CliRun> => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PAVED_')));
    return runCli(bundle, [...args, '--backend', 'paved', '--url', s.url], { cwd: repoRoot, env: { ...env, PAVED_TOKEN: s.token }, input });
  };

  async function deploy(): Promise<Deployment> {
    const r = await call<Deployment>(s, 'POST', '/v1/services/shop/deployments', { body: { environment: 'local' } });
    const { deployment } = await followDeployment(s, r.body.id);
    assert.equal(deployment.state, 'succeeded', deployment.error);
    return deployment;
  }

  before(async () => {
    bundle = buildCli('resources');
    ws = tempDir('cli-res-ws');
    markers = tempDir('cli-res-markers');
    writeService(path.join(ws, 'shop'), true);
    s = await serve(['--state-dir', tempDir('cli-res-state'), '--workspace', ws, '--resources', FIXTURES, '--port-base', String(portBase()), '--idle-timeout', '0'], { FIXTURE_MARKERS: markers });
    await deploy();
  });

  after(async () => {
    if (s) assert.equal(await s.stop(), 0);
  });

  it('paved resources types: each type with its classes and outputs, secret ones marked', async () => {
    const r = await paved(['resources', 'types']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^postgres \(built-in\)\n {2}A PostgreSQL database\..*\n {2}classes: small \(default\)\n {2}outputs: host, port, database, username, password \(secret\), url \(secret\); Add Resource binds DATABASE_URL: \$\{claims\.NAME\.url\}\n/);
    assert.match(r.stdout, /\nfixture-cache \(exec, .*cache\.yaml\)\n {2}A cache provisioned by the team's script\.\n {2}classes: standard \(default\), large\n {2}outputs: host, port, password \(secret\)/);
    const json = await paved(['resources', 'types', '--json']);
    assert.deepEqual((JSON.parse(json.stdout) as { type: string }[]).map((t) => t.type), ['postgres', 'volume', 'fixture-cache', 'fixture-failing', 'fixture-garbage', 'fixture-slow']);
  });

  it('paved resources SERVICE: every claim in every environment with its state; secret outputs masked', async () => {
    const r = await paved(['resources', 'shop']);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trimEnd().split('\n');
    assert.match(rows[0], /^SERVICE\s+ENVIRONMENT\s+CLAIM\s+TYPE\s+CLASS\s+STATE\s+DETAILS$/);
    assert.match(rows[1], /^shop\s+local\s+cache\s+fixture-cache\s+standard\s+ready\s+host=cache\.local\.internal port=6379 password=\*{8}$/);
    assert.match(rows[2], /^shop\s+local\s+files\s+volume\s+standard\s+ready\s+path=.*shop\.local\.files$/);
    assert.match(rows[3], /^shop\s+staging\s+cache\s+fixture-cache\s+standard\s+pending\s+provisioned by the next deployment to staging$/);
    assert.equal(rows.length, 7);
    assert.equal(r.stderr, '6 claims\n');
    const ready = await paved(['resources', '--state', 'ready', '--json']);
    assert.deepEqual((JSON.parse(ready.stdout) as { claim: string }[]).map((c) => c.claim), ['cache', 'files']);
  });

  it('paved resources release: refuses a claim in use; asks before deleting an orphaned one; --yes; a repeat is fine', async () => {
    const inUse = await paved(['resources', 'release', 'shop', 'cache', '--env', 'local', '--yes']);
    assert.equal(inUse.code, 1);
    assert.match(inUse.stderr, /claim cache of shop is ready in local, not orphaned: remove it from paved\.yaml and deploy first/);

    writeService(path.join(ws, 'shop'), false);
    await deploy();
    const orphaned = await paved(['resources', 'shop', '--env', 'local']);
    assert.match(orphaned.stdout, /\nshop\s+local\s+cache\s+fixture-cache\s+standard\s+orphaned\s+no longer claimed by the release deployed to local; the data is kept until the claim is released; host=/);

    const declined = await paved(['resources', 'release', 'shop', 'cache', '--env', 'local'], 'n\n');
    assert.equal(declined.code, 1);
    assert.match(declined.stderr, /^Release claim cache of shop in local\? This deletes fixture-cache resource shop\.local\.cache \(host cache\.local\.internal, port 6379\): the resource and its data\. It cannot be undone\. \[y\/N\] Not released: nothing was deleted\.\n$/);
    const noInput = await paved(['resources', 'release', 'shop', 'cache', '--env', 'local']);
    assert.equal(noInput.code, 1, 'no answer is a no');
    assert.equal(fs.existsSync(path.join(markers, 'deprovisioned-shop.local.cache')), false);

    const yes = await paved(['resources', 'release', 'shop', 'cache', '--env', 'local'], 'y\n');
    assert.equal(yes.code, 0, yes.stderr);
    assert.equal(yes.stdout, 'Released claim cache of shop in local.\n');
    assert.ok(fs.existsSync(path.join(markers, 'deprovisioned-shop.local.cache')), 'its deprovision command ran');
    const again = await paved(['resources', 'release', 'shop', 'cache', '--env', 'local', '--yes']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, 'Claim cache of shop in local was released before; nothing to do.\n');
    const unknown = await paved(['resources', 'release', 'shop', 'nope', '--env', 'local', '--yes']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /shop has no provisioned claim 'nope' in local/);
  });

  it('usage errors exit 2', async () => {
    for (const args of [['resources', 'release', 'shop'], ['resources', 'release', 'shop', 'cache'], ['resources', '--state', 'bogus'], ['resources', 'a', 'b']]) {
      const r = await paved(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /Run 'paved resources --help'/);
    }
  });
});
