/**
 * `paved templates | scaffold | deploy | rollback | promote` as real processes against a real `paved serve`
 * (started with --port 0 and its own state dir). Run: npm run test:cli
 */
import { spawn } from 'node:child_process';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { portBase, repoRoot, serve, tempDir, type Served } from '../contract/helpers';
import { buildCli, runCli, type CliRun } from './helpers';

type Run = CliRun;

const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['PAVED_TOKEN', 'PAVED_BACKEND', 'PAVED_URL'].includes(k)));

/** The CLI under test, bundled from the current source once (before all). */
let bundle = '';

/** Runs the CLI with the local platform's state dir (PAVED_* connection variables of the caller removed). */
function paved(args: string[], opts: { cwd?: string; stateDir: string }): Promise<Run> {
  return runCli(bundle, args, { cwd: opts.cwd ?? repoRoot, env: { ...cleanEnv, PAVED_STATE_DIR: opts.stateDir } });
}

function tree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map((p) => p.split(path.sep).join('/')).sort();
}

const NODE_SERVICE_FILES = [
  '.dockerignore',
  '.github',
  '.github/workflows',
  '.github/workflows/ci.yml',
  '.gitignore',
  '.paved',
  '.paved/golden-path.yaml',
  'Dockerfile',
  'README.md',
  'catalog-info.yaml',
  'package.json',
  'paved.yaml',
  'scripts',
  'scripts/build.js',
  'src',
  'src/server.js',
  'test',
  'test/server.test.js',
];

describe('paved CLI: templates, scaffold, deploy, rollback, promote against paved serve', function () {
  this.timeout(120_000);
  let served: Served;
  let stateDir: string;
  let work: string;

  before(async () => {
    bundle = buildCli('self-service');
    stateDir = tempDir('cli-state');
    work = tempDir('cli-work');
    // `paved serve` from the same bundle: it finds the golden paths and schemas of the repository like dist/cli.js does.
    served = await serve(['--port', '0', '--state-dir', stateDir, '--port-base', String(portBase()), '--templates', path.join(repoRoot, 'test/fixtures/golden-paths'), '--idle-timeout', '0'], {}, bundle);
  });
  after(async () => {
    await served?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
    fs.rmSync(bundle, { force: true });
  });

  it('documents the exit codes in --help', async () => {
    const r = await paved(['deploy', '--help'], { stateDir });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: paved deploy SERVICE --env ENV/);
    assert.match(r.stdout, /\n {2}3 {4}the new release was unhealthy and was rolled back automatically \(the previous release keeps serving\)\n/);
    assert.match((await paved(['scaffold', '--help'], { stateDir })).stdout, /\n {2}2 {2}usage error: unknown template parameter, invalid value, missing required value, or an I\/O error/);
  });

  it('lists the golden paths and shows one golden path’s parameters', async () => {
    const r = await paved(['templates'], { stateDir });
    assert.equal(r.code, 0, r.stderr);
    const ids = r.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/).slice(0, 3).join(' '));
    assert.deepEqual(ids, ['node-http-service 1.3.0 team-platform', 'postgres-http-service 1.0.0 team-platform', 'scheduled-worker 0.3.0 team-platform', 'static-site 1.0.1 team-platform', 'typescript-http-service 1.0.0 team-platform', 'unsafe-paths 0.0.1 team-platform']);
    const one = await paved(['templates', 'node-http-service'], { stateDir });
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /\n {2}port {15}integer {8}Default port \(PORT overrides it\) \(default 8080\)\n/);
    const missing = await paved(['templates', 'nope'], { stateDir });
    assert.equal(missing.code, 1);
  });

  it('refuses bad values with exit 2 and writes nothing', async () => {
    const out = path.join(work, 'bad');
    const r1 = await paved(['scaffold', 'node-http-service', '--set', 'name=orders', '--set', 'owner=team-a', '--set', 'port=80', '--out', out], { stateDir });
    assert.equal(r1.code, 2);
    assert.equal(r1.stderr, "paved scaffold: --set port: Default port (PORT overrides it) must be at least 1024. Run 'paved scaffold --help'.\n");
    const r2 = await paved(['scaffold', 'node-http-service', '--set', 'name=orders', '--set', 'colour=red', '--out', out], { stateDir });
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /--set colour: not a parameter of this template \(known: name, owner, description, system, port, shutdownTimeoutSeconds\)/);
    const r3 = await paved(['scaffold', 'node-http-service', '--set', 'name=orders', '--out', out], { stateDir });
    assert.equal(r3.code, 2);
    assert.match(r3.stderr, /invalid values for node-http-service: owner is required/);
    assert.deepEqual(tree(out), []);
  });

  it('refuses a golden path that renders a path outside the target (exit 1, nothing written)', async () => {
    const out = path.join(work, 'escape');
    const r = await paved(['scaffold', 'unsafe-paths', '--set', 'name=esc', '--set', 'owner=team-a', '--set', 'target=..', '--out', out], { stateDir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /paved scaffold: .*refusing output path/);
    assert.deepEqual(tree(out), []);
    assert.equal(fs.existsSync(path.join(work, 'x.txt')), false);
  });

  it('refuses a target whose sub-folder is a symlink (exit 1, nothing written outside)', async () => {
    const out = path.join(work, 'linked');
    const outside = path.join(work, 'outside');
    fs.mkdirSync(out);
    fs.mkdirSync(outside);
    fs.symlinkSync(outside, path.join(out, 'src'));
    const r = await paved(['scaffold', 'node-http-service', '--set', 'name=linked', '--set', 'owner=team-a', '--out', out, '--no-register'], { stateDir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /paved scaffold: refusing to write "src\/server.js": src in the target is a symbolic link\n/);
    assert.deepEqual(tree(outside), []);
    assert.deepEqual(tree(out), ['src']);
  });

  describe('a new service, end to end', () => {
    let folder: string;
    let port: number;

    it('scaffolds node-http-service into ./NAME, registers it, prints the next steps', async () => {
      const r = await paved(['scaffold', 'node-http-service', '--set', 'name=orders', '--set', 'owner=team-a'], { stateDir, cwd: work });
      assert.equal(r.code, 0, r.stderr);
      folder = path.join(work, 'orders');
      assert.equal(
        r.stdout,
        `Created orders in ${folder}: 12 file(s) written.\nRegistered orders in the catalog.\nNext steps:\n  cd orders\n  npm test\n  Deploy to local: paved deploy orders --env local\n`,
      );
      assert.deepEqual(tree(folder), NODE_SERVICE_FILES);
      assert.match(fs.readFileSync(path.join(folder, 'paved.yaml'), 'utf8'), /\n {2}name: orders\n/);
      const services = await paved(['services', '--json'], { stateDir });
      assert.deepEqual((JSON.parse(services.stdout) as { name: string }[]).map((s) => s.name), ['orders']);
    });

    it('refuses to scaffold over existing files without a choice, and keeps them with --keep-existing', async () => {
      fs.writeFileSync(path.join(folder, 'README.md'), 'my notes\n');
      const r = await paved(['scaffold', 'node-http-service', '--set', 'name=orders', '--set', 'owner=team-a', '--no-register'], { stateDir, cwd: work });
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`paved scaffold: 12 file\\(s\\) already exist in ${folder}; nothing was written:\\n`));
      assert.equal(fs.readFileSync(path.join(folder, 'README.md'), 'utf8'), 'my notes\n');
      const keep = await paved(['scaffold', 'node-http-service', '--set', 'name=orders', '--set', 'owner=team-a', '--no-register', '--keep-existing', '--json'], { stateDir, cwd: work });
      assert.equal(keep.code, 0, keep.stderr);
      const result = JSON.parse(keep.stdout) as { written: string[]; skipped: string[] };
      assert.deepEqual(result.written, []);
      assert.equal(result.skipped.length, 12);
      assert.equal(fs.readFileSync(path.join(folder, 'README.md'), 'utf8'), 'my notes\n');
    });

    it('deploys to local with --wait, streaming events; the service answers on its port', async () => {
      const r = await paved(['deploy', 'orders', '--env', 'local', '--wait', '--json'], { stateDir });
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event?: { type: string; seq: number }; deployment?: { state: string; port: number; url: string } });
      const events = lines.filter((l) => l.event).map((l) => l.event!);
      assert.deepEqual(events.map((e) => e.seq), events.map((_e, i) => i + 1));
      assert.equal(events[events.length - 1].type, 'completed');
      const final = lines[lines.length - 1].deployment!;
      assert.equal(final.state, 'succeeded');
      port = final.port;
      const res = await fetch(`${final.url}/healthz`);
      assert.equal(res.status, 200);
    });

    it('prints each line of a batch of build output with its event’s prefix', async () => {
      const build = path.join(folder, 'scripts', 'build.js');
      const original = fs.readFileSync(build, 'utf8');
      // Three lines in one write: the platform reads them together and sends them as one event.
      fs.writeFileSync(build, `process.stdout.write('batch one\\nbatch two\\nbatch three\\n');\n${original}`);
      try {
        const r = await paved(['deploy', 'orders', '--env', 'local', '--wait'], { stateDir });
        assert.equal(r.code, 0, r.stderr);
        const out = r.stdout.split('\n').filter((l) => l !== '');
        const batch = out.filter((l) => / batch (one|two|three)$/.test(l));
        assert.equal(batch.length, 3, r.stdout);
        const seqs = batch.map((l) => /^#(\d+) \[build\] batch (?:one|two|three)$/.exec(l)?.[1]);
        assert.ok(seqs.every((s) => s !== undefined), r.stdout);
        assert.equal(new Set(seqs).size, 1, `one event: ${r.stdout}`);
        const url = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out.at(-1) ?? '');
        assert.ok(url, `the last line says where it runs:\n${r.stdout}`);
        assert.ok(out.slice(0, -1).every((l) => /^#\d+ /.test(l)), `every event line has its prefix:\n${r.stdout}`);
        port = Number(url[1]); // the new release serves now
      } finally {
        fs.writeFileSync(build, original);
      }
    });

    it('refuses a manifest with policy errors with the list of problems (exit 1)', async () => {
      const manifest = path.join(folder, 'paved.yaml');
      const good = fs.readFileSync(manifest, 'utf8');
      fs.writeFileSync(manifest, good.replace('port: 8080', 'port: "eighty"'));
      try {
        const r = await paved(['deploy', 'orders', '--env', 'local'], { stateDir });
        assert.equal(r.code, 1);
        const line = good.split('\n').findIndex((l) => l.includes('port: 8080')) + 1;
        const rel = path.relative(repoRoot, manifest).replace(/[.]/g, '\\.');
        assert.match(r.stderr, new RegExp(`paved deploy: refusing: orders cannot be deployed to local; its manifest has 1 policy error\\(s\\):\\n${rel}:${line}:\\d+ error schema/type Incorrect type: spec.run.port must be an integer, not a string.\\n`));
      } finally {
        fs.writeFileSync(manifest, good);
      }
    });

    it('a failing health check ends in an automatic rollback: exit 3, the old release keeps answering', async () => {
      const manifest = path.join(folder, 'paved.yaml');
      const good = fs.readFileSync(manifest, 'utf8');
      fs.writeFileSync(manifest, good.replace('health: { path: /healthz }', 'health: { path: /missing }'));
      try {
        const r = await paved(['deploy', 'orders', '--env', 'local', '--wait', '--health-timeout', '2'], { stateDir });
        assert.equal(r.code, 3, r.stderr);
        assert.match(r.stderr, /Deployment of orders to local failed: .*Automatic rollback: r-\S+ keeps serving\.\n$/);
      } finally {
        fs.writeFileSync(manifest, good);
      }
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    });

    it('Ctrl-C while waiting cancels the deployment on the platform: exit 130, the old release keeps serving', async () => {
      const manifest = path.join(folder, 'paved.yaml');
      const good = fs.readFileSync(manifest, 'utf8');
      fs.writeFileSync(manifest, good.replace('health: { path: /healthz }', 'health: { path: /missing }'));
      try {
        const proc = spawn(process.execPath, [bundle, 'deploy', 'orders', '--env', 'local', '--wait', '--health-timeout', '120'], {
          cwd: repoRoot,
          env: { ...cleanEnv, PAVED_STATE_DIR: stateDir },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
        await new Promise<void>((resolve) => {
          proc.stdout.on('data', (c: Buffer) => {
            stdout += c.toString();
            if (/state → health-checking/.test(stdout)) resolve();
          });
        });
        proc.kill('SIGINT');
        assert.equal(await exited, 130, stderr);
        assert.match(stderr, /paved: cancelling deployment d-\S+…\n/);
        assert.match(stderr, /Deployment of orders to local was cancelled\.\n$/);
      } finally {
        fs.writeFileSync(manifest, good);
      }
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    });

    it('rolls back and promotes; production needs --approve', async () => {
      const second = await paved(['deploy', 'orders', '--env', 'local', '--wait', '--json'], { stateDir });
      assert.equal(second.code, 0, second.stderr);
      const back = await paved(['rollback', 'orders', '--env', 'local', '--wait', '--json'], { stateDir });
      assert.equal(back.code, 0, back.stderr);
      const rolled = (JSON.parse(back.stdout.trim().split('\n').pop()!) as { deployment: { kind: string; state: string } }).deployment;
      assert.deepEqual([rolled.kind, rolled.state], ['rollback', 'succeeded']);

      const staging = await paved(['promote', 'orders', '--from', 'local', '--wait'], { stateDir });
      assert.equal(staging.code, 0, staging.stderr);
      assert.match(staging.stdout, /orders \(r-\S+\) is running in staging at http:\/\/127\.0\.0\.1:\d+\.\n$/);
      const refused = await paved(['promote', 'orders', '--from', 'staging'], { stateDir });
      assert.equal(refused.code, 1);
      assert.equal(refused.stderr, "paved promote: orders's manifest requires approval for production; pass --approve to confirm.\n");
      const prod = await paved(['promote', 'orders', '--from', 'staging', '--approve', '--wait'], { stateDir });
      assert.equal(prod.code, 0, prod.stderr);
      assert.match(prod.stdout, /is running in production at http:\/\/127\.0\.0\.1:\d+\.\n$/);
    });

    it('usage errors exit 2', async () => {
      assert.equal((await paved(['deploy', 'orders'], { stateDir })).code, 2);
      assert.equal((await paved(['deploy', 'orders', '--env', 'moon'], { stateDir })).code, 2);
      assert.equal((await paved(['rollback', 'orders', '--env', 'local', '--approve'], { stateDir })).code, 2);
      assert.equal((await paved(['promote', 'orders'], { stateDir })).code, 2);
    });
  });
});
