/**
 * `paved services|service|templates|scaffold --backend backstage --url …` as a process, against the fake Backstage.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MINIMAL } from '../../core/manifest/helpers';
import { startFakeBackstage, type FakeBackstage } from './fakeBackstage';

const ROOT = path.resolve(__dirname, '../../../..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function paved(args: string[], env: Record<string, string | undefined>): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--require', 'tsx/cjs', path.join(ROOT, 'src/cli/main.ts'), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          reject(new Error(`paved could not run: ${err.message}`));
          return;
        }
        resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
  });
}

describe('paved CLI with --backend backstage (as a process, against the fake Backstage)', function () {
  this.timeout(60_000);
  let fake: FakeBackstage;
  let conn: string[];
  let env: Record<string, string>;

  before(async () => {
    fake = await startFakeBackstage({ components: 520, stepDelayMs: 1 });
    conn = ['--backend', 'backstage', '--url', fake.url];
    env = { PAVED_TOKEN: fake.token };
  });
  after(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.requests.length = 0;
  });

  it("paved lint checks references against Backstage's catalog (all pages), with the default set and a note saying so", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-lint-bs-'));
    try {
      const file = path.join(dir, 'paved.yaml');
      fs.writeFileSync(file, `${MINIMAL.replace('owner: team-payments', 'owner: tem-a')}  dependsOn: [service:ledger, service:ledgr]\n`);
      const r = await paved(['lint', file, ...conn, '--format', 'json'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /linting with Paved's default policy set: Backstage \(http:\/\/127\.0\.0\.1:\d+\) serves no Paved policy set \(references are checked against its catalog\)/);
      const findings = (JSON.parse(r.stdout) as { files: { findings: { ruleId: string; severity: string; message: string }[] }[] }).files[0].findings.filter((f) => f.ruleId.startsWith('known-'));
      assert.deepEqual(findings.map((f) => [f.ruleId, f.severity, f.message]), [
        ['known-owner', 'warning', "metadata.owner names no team of the platform's catalog. Did you mean team-a, team-b?"],
        ['known-dependency', 'warning', "This dependency names no service of the platform's catalog. Did you mean service:ledger?"],
      ]);
      const queries = fake.requests.filter((q) => q.path === '/api/catalog/entities/by-query');
      assert.ok(queries.some((q) => q.query.get('cursor')), 'components past the first page were read');
      assert.equal(queries[0].headers.authorization, `Bearer ${fake.token}`);
      assert.equal((await paved(['lint', file, ...conn, '--require-platform'], env)).code, 2, 'no policy set of its own: not enough for --require-platform');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('paved services lists the whole catalog (all pages) and filters through relations', async () => {
    const all = await paved(['services', ...conn, '--json'], env);
    assert.equal(all.code, 0, all.stderr);
    const items = JSON.parse(all.stdout) as { ref: string; owner: string }[];
    assert.equal(items.length, 532); // 4 + 520 components, 2 APIs, 1 resource, 2 systems, 3 groups
    assert.equal(new Set(items.map((i) => i.ref)).size, 532);
    const queries = fake.requests.filter((r) => r.path === '/api/catalog/entities/by-query');
    assert.equal(queries.length, 2, 'more than one page (500 per page)');
    assert.equal(queries[0].headers.authorization, `Bearer ${fake.token}`);
    assert.equal(queries[0].query.get('orderField'), 'metadata.name,asc');
    assert.deepEqual([...new Set(queries[1].query.keys())].sort(), ['cursor', 'fields', 'limit']);

    const filtered = await paved(['services', ...conn, '--json', '--owner', 'team-b', '--lifecycle', 'deprecated'], env);
    assert.equal(filtered.code, 0, filtered.stderr);
    assert.deepEqual(JSON.parse(filtered.stdout), [
      {
        ref: 'component:security/auth-service',
        kind: 'Component',
        name: 'auth-service',
        owner: 'team-b',
        tags: [],
        source: 'registered',
        status: {},
        description: 'Issues tokens',
        system: 'identity',
        lifecycle: 'deprecated',
      },
    ]);
  });

  it('paved service shows an entity with its relations; an unknown one exits 1 with Backstage\'s message', async () => {
    const shown = await paved(['service', 'payments-api', ...conn], env);
    assert.equal(shown.code, 0, shown.stderr);
    const lines = shown.stdout.split('\n');
    assert.equal(lines[0], 'component:default/payments-api — Payments API');
    assert.ok(lines.includes('Depends on   resource:default/payments-db, component:default/ledger, component:default/legacy-billing'), shown.stdout);
    assert.ok(lines.includes('Dependents   component:default/checkout-web'), shown.stdout);
    assert.ok(lines.includes('Provides     api:default/payments-openapi'), shown.stdout);
    assert.equal(fake.requests.filter((r) => r.path === '/api/catalog/entities/by-refs').length, 1);

    const missing = await paved(['service', 'nope', ...conn], env);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.split('\n')[0], "paved service: Not found on Backstage (No entity named 'nope' found, with kind 'component' in namespace 'default').");
  });

  it('a wrong or missing token exits 1 with Backstage\'s reason', async () => {
    const wrong = await paved(['services', ...conn], { PAVED_TOKEN: 'wrong' });
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stderr.split('\n')[0], 'paved services: Backstage rejected the credentials (Illegal token). Sign in again with "Paved: Sign In".');
    const none = await paved(['services', ...conn], {});
    assert.equal(none.code, 1);
    assert.equal(none.stderr.split('\n')[0], 'paved services: Backstage rejected the credentials (Missing credentials). Sign in again with "Paved: Sign In".');
  });

  it('paved templates lists Template entities and shows the parameters of one', async () => {
    const list = await paved(['templates', ...conn, '--json'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(
      (JSON.parse(list.stdout) as { id: string; owner: string }[]).map((t) => [t.id, t.owner]),
      [
        ['template:default/node-service', 'team-a'],
        ['template:default/slow-template', 'platform'],
      ],
    );
    const one = await paved(['templates', 'node-service', ...conn], env);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /^ {2}owner +team name +Owner \(required\)$/m);
    assert.match(one.stdout, /^ {2}lifecycle +one of experimental\|production Lifecycle \(default "experimental"\)$/m);
    assert.match(one.stdout, /^ {2}port +integer +Port \(default 8080\)$/m);
  });

  it('paved scaffold runs the template on Backstage, streams its log and prints the output links and text', async () => {
    const run = await paved(
      ['scaffold', 'node-service', ...conn, '--set', 'name=billing', '--set', 'owner=team-a', '--set', 'repoUrl=github.com?owner=example&repo=billing'],
      env,
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'Repository: https://github.com/example/billing\nOpen in catalog: component:default/billing\n## Next steps\n\nRun `npm test` in **billing**.\n');
    assert.match(run.stderr, /^#\d+ step: Beginning step Publish$/m);
    assert.match(run.stderr, /^#\d+ completed: Run completed with status: completed$/m);
    assert.equal(run.stderr.includes('\u001b'), false);
    const post = fake.requests.find((r) => r.method === 'POST' && r.path === '/api/scaffolder/v2/tasks')!;
    const body = post.body as { templateRef: string; values: Record<string, unknown> };
    assert.equal(body.templateRef, 'template:default/node-service');
    assert.equal(body.values.port, 8080);
    assert.equal(body.values.lifecycle, 'experimental');
    const task = fake.tasks.get([...fake.tasks.keys()].at(-1)!)!;
    assert.equal(task.status, 'completed');
  });
});
