/**
 * `paved upgrade` as real processes against a real `paved serve` with the built-in golden paths: `--check` exit codes
 * for CI, and a real upgrade of a service scaffolded from node-http-service 1.2.0 (with the owner's own changes) to
 * 1.3.0 that still builds, passes its own tests and deploys healthy. Run: npm run test:cli
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { portBase, repoRoot, serve, tempDir, type Served } from '../contract/helpers';
import { buildCli, runCli, type CliRun } from './helpers';

const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['PAVED_TOKEN', 'PAVED_BACKEND', 'PAVED_URL'].includes(k)));

describe('paved upgrade: CI checks and a real three-way upgrade of a built-in golden path', function () {
  this.timeout(180_000);
  let bundle = '';
  let served: Served;
  let stateDir: string;
  let work: string;
  const paved = (args: string[], cwd = work): Promise<CliRun> => runCli(bundle, args, { cwd, env: { ...cleanEnv, PAVED_STATE_DIR: stateDir } });
  const answers = (dir: string) => parse(fs.readFileSync(path.join(dir, '.paved/golden-path.yaml'), 'utf8')) as { template: string; version: string; values: Record<string, unknown> };
  const scaffold12 = async (name: string, register = false) => {
    const r = await paved(['scaffold', 'node-http-service', '--version', '1.2.0', '--set', `name=${name}`, '--set', 'owner=team-a', ...(register ? [] : ['--no-register'])]);
    assert.equal(r.code, 0, r.stderr);
    return path.join(work, name);
  };
  const edit = (file: string, from: string, to: string) => {
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(text.includes(from), `${file} has ${JSON.stringify(from)}`);
    fs.writeFileSync(file, text.replace(from, to));
  };

  before(async () => {
    bundle = buildCli('upgrade');
    stateDir = tempDir('cli-upgrade-state');
    work = tempDir('cli-upgrade-work');
    served = await serve(['--port', '0', '--state-dir', stateDir, '--port-base', String(portBase()), '--idle-timeout', '0'], {}, bundle);
  });
  after(async () => {
    await served?.stop();
    for (const d of [work, stateDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
    fs.rmSync(bundle, { force: true });
  });

  it('--check: exit 2 and the JSON CI reads when an upgrade exists; exit 1 for failures, usage errors included', async () => {
    const dir = await scaffold12('checked');
    assert.deepEqual(answers(dir), { template: 'node-http-service', version: '1.2.0', values: { name: 'checked', owner: 'team-a', description: 'A new HTTP service.', system: 'default', port: 8080 } });
    const text = await paved(['upgrade', '--check'], dir);
    assert.equal(text.code, 2, text.stderr);
    assert.equal(text.stdout, 'node-http-service 1.2.0 → 1.3.0 available\n');
    const json = await paved(['upgrade', dir, '--check', '--json']);
    assert.equal(json.code, 2, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), { template: 'node-http-service', current: '1.2.0', latest: '1.3.0', updateAvailable: true });
    const none = await paved(['upgrade', '--check'], tempDir('no-golden-path'));
    assert.equal(none.code, 1);
    assert.match(none.stderr, /records no golden path/);
    const usage = await paved(['upgrade', dir, '--check', '--yes']);
    assert.equal(usage.code, 1, 'a usage error is a failure under --check: 2 means only "an upgrade exists"');
    assert.match(usage.stderr, /--check takes no --adopt, --yes, --to or --set/);
  });

  it('upgrades 1.2.0 → 1.3.0 keeping the owner\'s changes; the service builds, passes its tests and deploys healthy', async () => {
    const dir = await scaffold12('billing', true);
    // The owner's own changes since scaffolding: a route, its test, a line in the README.
    edit(path.join(dir, 'src/server.js'), "  if (url.pathname === '/') {", "  if (url.pathname === '/version') {\n    res.writeHead(200, { 'content-type': 'application/json' });\n    res.end(JSON.stringify({ version: 'billing-7' }));\n    return;\n  }\n  if (url.pathname === '/') {");
    edit(path.join(dir, 'test/server.test.js'), "test('unknown paths are 404'", "test('GET /version answers', async () => {\n  const s = await listen();\n  try {\n    assert.deepEqual(await (await fetch(`${s.url}/version`)).json(), { version: 'billing-7' });\n  } finally {\n    s.close();\n  }\n});\n\ntest('unknown paths are 404'");
    edit(path.join(dir, 'README.md'), '# billing\n', '# billing\n\nPays the bills.\n');

    const dry = await paved(['upgrade'], dir);
    assert.equal(dry.code, 1, 'without --yes and without a terminal, nothing is applied');
    assert.match(dry.stderr, /Not applied: pass --yes/);
    assert.match(dry.stdout, /^node-http-service 1\.2\.0 → 1\.3\.0 in /);
    assert.match(dry.stdout, /Graceful shutdown/);
    assert.match(dry.stdout, / A \.dockerignore +new in the golden path\n/);
    assert.match(dry.stdout, / M src\/server\.js +changed by you and by the golden path: merged\n/);
    assert.equal(answers(dir).version, '1.2.0');
    assert.equal(fs.existsSync(path.join(dir, '.dockerignore')), false);

    const r = await paved(['upgrade', '--yes', '--set', 'shutdownTimeoutSeconds=5'], dir);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Upgraded node-http-service to 1\.3\.0: \d+ file\(s\) written, 0 removed\.\n$/);
    assert.deepEqual(answers(dir), { template: 'node-http-service', version: '1.3.0', values: { name: 'billing', owner: 'team-a', description: 'A new HTTP service.', system: 'default', port: 8080, shutdownTimeoutSeconds: 5 } });
    const server = fs.readFileSync(path.join(dir, 'src/server.js'), 'utf8');
    assert.match(server, /\/version/, 'the owner\'s route is kept');
    assert.match(server, /setTimeout\(\(\) => process\.exit\(0\), 5 \* 1000\)/, 'the graceful shutdown arrived, with the value given');
    assert.match(fs.readFileSync(path.join(dir, 'README.md'), 'utf8'), /Pays the bills\.[\s\S]*1\.3\.0/);
    assert.match(fs.readFileSync(path.join(dir, 'paved.yaml'), 'utf8'), /goldenPath: \{ template: node-http-service, version: 1\.3\.0 \}/);
    assert.doesNotMatch(fs.readFileSync(path.join(dir, 'src/server.js'), 'utf8'), /<<<<<<<|>>>>>>>/);

    for (const script of ['build', 'test']) {
      const run = spawnSync('npm', ['run', script], { cwd: dir, encoding: 'utf8', env: cleanEnv });
      assert.equal(run.status, 0, `npm run ${script}:\n${run.stdout}\n${run.stderr}`);
      if (script === 'test') assert.match(run.stdout, /# pass 4\n/, 'the owner\'s test and the golden path\'s new test both run');
    }

    const deployed = await paved(['deploy', 'billing', '--env', 'local', '--wait', '--json']);
    assert.equal(deployed.code, 0, deployed.stderr);
    const final = (JSON.parse(deployed.stdout.trim().split('\n').pop()!) as { deployment: { state: string; url: string } }).deployment;
    assert.equal(final.state, 'succeeded');
    const health = await fetch(`${final.url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(health.headers.get('x-content-type-options'), 'nosniff');
    assert.deepEqual(await (await fetch(`${final.url}/version`)).json(), { version: 'billing-7' });

    const after = await paved(['upgrade', '--check', '--json'], dir);
    assert.equal(after.code, 0, after.stderr);
    assert.equal((JSON.parse(after.stdout) as { updateAvailable: boolean }).updateAvailable, false);
    const services = await paved(['service', 'billing', '--json']);
    assert.deepEqual((JSON.parse(services.stdout) as { goldenPath?: unknown }).goldenPath, { template: 'node-http-service', version: '1.3.0' }, 'the catalog shows the new version');
  });

  it('a collision is written with conflict markers: exit 4 and the files listed; --json says the same', async () => {
    const dir = await scaffold12('clash');
    edit(path.join(dir, 'src/server.js'), "  process.on('SIGTERM', stop);", "  process.on('SIGTERM', () => { console.log('bye'); stop(); });");
    const r = await paved(['upgrade', '--yes', '--json'], dir);
    assert.equal(r.code, 4, r.stdout + r.stderr);
    const out = JSON.parse(r.stdout) as { applied: boolean; conflicted: string[]; files: { path: string; action: string }[] };
    assert.equal(out.applied, true);
    assert.deepEqual(out.conflicted, ['src/server.js']);
    assert.ok(out.files.some((f) => f.path === 'src/server.js' && f.action === 'conflicted'));
    const text = fs.readFileSync(path.join(dir, 'src/server.js'), 'utf8');
    assert.match(text, /\n<<<<<<< yours\n[\s\S]*\n\|\|\|\|\|\|\| node-http-service 1\.2\.0\n[\s\S]*\n=======\n[\s\S]*\n>>>>>>> node-http-service 1\.3\.0\n/);
  });

  it('a service without an answers file adopts the golden path first; --set names only what the upgrade asks', async () => {
    const dir = await scaffold12('legacy');
    fs.rmSync(path.join(dir, '.paved'), { recursive: true });
    const refused = await paved(['upgrade', '--yes'], dir);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /no \.paved\/golden-path\.yaml[\s\S]*paved upgrade --adopt TEMPLATE@VERSION/);
    const before = fs.readdirSync(dir).sort();
    const adopted = await paved(['upgrade', '--adopt', 'node-http-service@1.2.0'], dir);
    assert.equal(adopted.code, 0, adopted.stderr);
    assert.deepEqual(fs.readdirSync(dir).sort(), [...before, '.paved'].sort(), 'adoption writes the answers file and nothing else');
    assert.deepEqual(answers(dir).values, { name: 'legacy', owner: 'team-a', description: 'A new HTTP service.', system: 'default', port: 8080 });
    assert.equal((await paved(['upgrade', '--check'], dir)).code, 2);
    const stray = await paved(['upgrade', '--yes', '--set', 'port=9000'], dir);
    assert.equal(stray.code, 2);
    assert.match(stray.stderr, /--set port: not asked by this upgrade/);
    assert.equal(answers(dir).version, '1.2.0');
    const again = await paved(['upgrade', '--adopt', 'node-http-service@1.2.0'], dir);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already records node-http-service 1\.2\.0/);
  });

  it('documents itself', async () => {
    const r = await paved(['upgrade', '--help'], repoRoot);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: paved upgrade \[DIR\]/);
    assert.match(r.stdout, /4 {2}upgraded, with conflict markers left to resolve/);
  });
});
