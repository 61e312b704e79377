import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import type * as api from '../../../src/core/api/types';
import type { CliDeps } from '../../../src/cli/connection';
import { runService, runServices } from '../../../src/cli/services';
import { subcommands } from '../../../src/cli/subcommands';
import { answerIdentity, fakeClock, json, startFaultServer, type FaultServer } from '../platform/faultServer';

function capture(): { io: { stdout: Writable; stderr: Writable }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        append(chunk.toString('utf8'));
        cb();
      },
    });
  return { io: { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)) }, out: () => out, err: () => err };
}

const svc = (name: string, over: Partial<api.ServiceSummary> = {}): api.ServiceSummary => ({ name, owner: 'team-a', tags: [], source: 'workspace', status: {}, ...over });

describe('paved services / paved service', () => {
  let server: FaultServer;
  let deps: CliDeps;
  before(async () => {
    server = await startFaultServer();
  });
  after(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    deps = { env: { PAVED_TOKEN: 'ci-token' }, backendOptions: { clock: fakeClock(), retry: { baseDelayMs: 1 } } };
  });

  it('are registered as subcommands', () => {
    assert.deepEqual(
      subcommands.filter((c) => c.name === 'services' || c.name === 'service').map((c) => c.name),
      ['services', 'service'],
    );
  });

  it('lists every page as a table, with filters passed to the platform and the token from PAVED_TOKEN', async () => {
    server.handle((req, res) => {
      const cursor = new URL(req.url, 'http://x').searchParams.get('cursor');
      if (!cursor) json(res, 200, { items: [svc('ledger', { system: 'payments', lifecycle: 'production', status: { local: 'running', staging: 'failed' } })], nextCursor: 'n1' });
      else json(res, 200, { items: [svc('web')] });
    });
    const c = capture();
    const code = await runServices(['--backend', 'paved', '--url', server.url, '--owner', 'team-a', '--query', 'e'], c.io, deps);
    assert.equal(code, 0, c.err());
    assert.equal(
      c.out(),
      [
        `${'NAME'.padEnd(32)} ${'OWNER'.padEnd(20)} ${'SYSTEM'.padEnd(16)} ${'LIFECYCLE'.padEnd(12)} STATUS`,
        `${'ledger'.padEnd(32)} ${'team-a'.padEnd(20)} ${'payments'.padEnd(16)} ${'production'.padEnd(12)} local:running staging:failed`,
        `${'web'.padEnd(32)} ${'team-a'.padEnd(20)} ${'-'.padEnd(16)} ${'-'.padEnd(12)} -`,
        '',
      ].join('\n'),
    );
    assert.equal(c.err(), '2 services\n');
    assert.deepEqual(
      server.requests.map((r) => r.url),
      ['/v1/services?text=e&owner=team-a&limit=500', '/v1/services?text=e&owner=team-a&limit=500&cursor=n1'],
    );
    assert.equal(server.requests[0].headers.authorization, 'Bearer ci-token');
  });

  it('--json prints one JSON array; --limit stops early; PAVED_URL / PAVED_BACKEND work', async () => {
    server.handle((_req, res) => json(res, 200, { items: [svc('a'), svc('b')], nextCursor: 'more' }));
    const c = capture();
    const code = await runServices(['--json', '--limit', '2'], c.io, { ...deps, env: { ...deps.env, PAVED_BACKEND: 'paved', PAVED_URL: server.url } });
    assert.equal(code, 0, c.err());
    const parsed = JSON.parse(c.out()) as { ref: string }[];
    assert.deepEqual(
      parsed.map((s) => s.ref),
      ['a', 'b'],
    );
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0].url, '/v1/services?limit=2');
  });

  it('an empty catalog is an empty JSON array and exit 0', async () => {
    server.handle((_req, res) => json(res, 200, { items: [] }));
    const c = capture();
    assert.equal(await runServices(['--json', '--backend', 'paved', '--url', server.url], c.io, deps), 0);
    assert.equal(c.out(), '[]\n');
  });

  it('control characters from the platform never reach the terminal', async () => {
    server.handle((_req, res) => json(res, 200, { items: [svc('evil', { owner: 'team\u001b[2J\u0007-x' })] }));
    const c = capture();
    await runServices(['--backend', 'paved', '--url', server.url], c.io, deps);
    assert.ok(![...c.out()].some((ch) => ch !== '\n' && ch.charCodeAt(0) < 0x20), JSON.stringify(c.out()));
    assert.match(c.out(), /team\[2J-x/);
  });

  it('paved service: a problem detail with terminal escapes is printed without them', async () => {
    server.handle((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ type: 'about:blank', title: 'Not \u001b]0;pwned\u0007found', status: 404, code: 'not-found', detail: 'no service \u001b[31mledger\u001b[0m\u009b2J here' }));
    });
    const c = capture();
    assert.equal(await runService(['ledger', '--backend', 'paved', '--url', server.url], c.io, deps), 1);
    assert.ok(![...c.err()].some((ch) => ch !== '\n' && (ch.charCodeAt(0) < 0x20 || (ch.charCodeAt(0) >= 0x7f && ch.charCodeAt(0) <= 0x9f))), JSON.stringify(c.err()));
    assert.match(c.err(), /ledger/);
  });

  it('--json output escapes the C1 controls JSON.stringify leaves raw, and parses to the same value', async () => {
    const owner = 'team\u009b2J\u0085-x';
    server.handle((_req, res) => json(res, 200, { items: [svc('evil', { owner })] }));
    const c = capture();
    assert.equal(await runServices(['--json', '--backend', 'paved', '--url', server.url], c.io, deps), 0);
    assert.ok(![...c.out()].some((ch) => ch.charCodeAt(0) >= 0x7f && ch.charCodeAt(0) <= 0x9f), JSON.stringify(c.out()));
    assert.equal((JSON.parse(c.out()) as api.ServiceSummary[])[0].owner, owner);
  });

  it('stops quietly with exit 0 when the reader of stdout goes away (EPIPE, `| head`)', async () => {
    server.handle((_req, res) => json(res, 200, { items: [svc('a')], nextCursor: 'more' }));
    let writes = 0;
    const stdout = new Writable({
      write(_chunk, _enc, cb) {
        writes++;
        cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const c = capture();
    assert.equal(await runServices(['--backend', 'paved', '--url', server.url], { stdout, stderr: c.io.stderr }, deps), 0);
    assert.equal(c.err(), '');
    // The fake catalog never ends (nextCursor always set): only stopping on EPIPE lets the command return.
    assert.ok(server.requests.length <= 1, `fetched ${server.requests.length} pages after stdout closed`);
    assert.equal(writes, 1, 'nothing is written after the first failed write');
  });

  it('shows one service as text', async () => {
    const details: api.ServiceDetails = {
      ...svc('ledger', { title: 'Ledger', system: 'payments', lifecycle: 'production', tags: ['money'] }),
      manifest: {},
      manifestKind: 'paved.yaml',
      manifestPath: '/ws/ledger/paved.yaml',
      links: [{ url: 'https://runbooks.example/ledger', type: 'runbook', title: 'Runbook' }],
      dependsOn: ['resource:ledger-db'],
      dependents: ['web'],
      apis: { provides: ['ledger-api'], consumes: [] },
      environments: [{ environment: 'local', state: 'running', release: 'r-1', url: 'http://127.0.0.1:41001' }],
      scorecard: { score: 80, results: [{ ruleId: 'has-runbook', severity: 'warning', passed: false, message: 'add a runbook link' }] },
      metrics: { windowDays: 30, deploymentFrequencyPerDay: 0.5, deployments: 15, leadTimeSeconds: 1800, changeFailureRate: 0.2, environment: 'production' },
    };
    server.handle((_req, res) => json(res, 200, details));
    const c = capture();
    assert.equal(await runService(['ledger', '--backend', 'paved', '--url', server.url], c.io, deps), 0, c.err());
    assert.equal(
      c.out(),
      [
        'ledger — Ledger',
        '',
        'Owner        team-a',
        'System       payments',
        'Lifecycle    production',
        'Tags         money',
        'Manifest     /ws/ledger/paved.yaml',
        'Depends on   resource:ledger-db',
        'Dependents   web',
        'Provides     ledger-api',
        'Links',
        '  runbook    Runbook: https://runbooks.example/ledger',
        'Environments',
        '  local      running       r-1                         http://127.0.0.1:41001',
        'Scorecard    80/100, 1 failing',
        '  warning  has-runbook: add a runbook link',
        'DORA (production, 30 days)',
        '  deployment frequency   0.50/day (15 deployments)',
        '  lead time for changes  30 min',
        '  change failure rate    20%',
        '  time to restore        n/a',
        '',
      ].join('\n'),
    );
    assert.equal(server.requests[0].url, '/v1/services/ledger');
  });

  it('an unknown service exits 1 with the platform’s message', async () => {
    server.handle((_req, res) => json(res, 404, { type: 'x', title: 'Not Found', status: 404, detail: 'No service "nope".' }, { 'Content-Type': 'application/problem+json' }));
    const c = capture();
    assert.equal(await runService(['nope', '--backend', 'paved', '--url', server.url], c.io, deps), 1);
    assert.equal(c.err(), 'paved service: Not found on the Paved platform (No service "nope".).\n  (GET /v1/services/nope · HTTP 404 · x · No service "nope".)\n');
  });

  it('usage errors exit 2', async () => {
    const cases: [string[], string][] = [
      [['--colour'], "paved services: unknown option '--colour'. Run 'paved services --help'.\n"],
      [['--owner'], "paved services: --owner needs a value. Run 'paved services --help'.\n"],
      [['--limit', '0'], "paved services: --limit must be a positive integer, not '0'. Run 'paved services --help'.\n"],
      [['--backend', 'gitlab'], "paved services: --backend must be one of local, paved, backstage, not 'gitlab'. Run 'paved services --help'.\n"],
    ];
    for (const [args, message] of cases) {
      const c = capture();
      assert.equal(await runServices(args, c.io, deps), 2, args.join(' '));
      assert.equal(c.err(), message);
    }
    const c = capture();
    assert.equal(await runService([], c.io, deps), 2);
    assert.equal(c.err(), "paved service: missing service NAME. Run 'paved service --help'.\n");
    assert.equal(server.requests.length, 0);
  });

  it('a URL names a remote platform: --url (or PAVED_URL) alone means --backend paved; with local it is a usage error', async () => {
    server.handle((_req, res) => json(res, 200, { items: [svc('a')] }));
    const c = capture();
    assert.equal(await runServices(['--url', server.url, '--json'], c.io, deps), 0, c.err());
    assert.deepEqual((JSON.parse(c.out()) as { ref: string }[]).map((s) => s.ref), ['a']);
    assert.equal(server.requests[0].headers.authorization, 'Bearer ci-token');
    const fromEnv = capture();
    assert.equal(await runServices(['--json'], fromEnv.io, { ...deps, env: { ...deps.env, PAVED_URL: server.url } }), 0, fromEnv.err());
    assert.equal(server.requests.length, 2);

    const local = capture();
    assert.equal(await runServices(['--url', server.url, '--backend', 'local'], local.io, deps), 2);
    assert.equal(local.err(), `paved services: --url names a remote platform, but the backend is local (found through its state directory). Use --backend paved or --backend backstage with it, or leave it out. Run 'paved services --help'.\n`);
    const localEnv = capture();
    assert.equal(await runServices(['--url', server.url], localEnv.io, { ...deps, env: { ...deps.env, PAVED_BACKEND: 'local' } }), 2, 'PAVED_BACKEND=local does not silently drop --url');
    assert.equal(server.requests.length, 2, 'nothing sent for the usage errors');
  });

  it('plain http to a remote host is refused before anything is sent (exit 2)', async () => {
    const c = capture();
    assert.equal(await runServices(['--backend', 'paved', '--url', 'http://platform.example.com'], c.io, deps), 2);
    assert.match(c.err(), /^paved services: paved\.platform\.url must use https for platform\.example\.com/);
  });

  it('local: reads serve.json and the token file of the running paved serve', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-cli-'));
    try {
      fs.writeFileSync(path.join(dir, 'token'), 'file-token\n', { mode: 0o600 });
      fs.writeFileSync(path.join(dir, 'serve.json'), JSON.stringify({ pid: process.pid, url: server.url, tokenFile: 'token', instanceId: 'i-1' }));
      server.handle((req, res) => {
        if (!answerIdentity(req, res, req.url.includes('challenge') && server.requests.length > 2 ? 'ci-token' : 'file-token', 'i-1')) json(res, 200, { items: [svc('a')] });
      });
      const c = capture();
      assert.equal(await runServices(['--state-dir', dir], c.io, { ...deps, env: {} }), 0, c.err());
      assert.equal(server.requests[1].headers.authorization, 'Bearer file-token');
      const c2 = capture();
      assert.equal(await runServices(['--state-dir', dir], c2.io, deps), 0, c2.err());
      assert.match(server.requests[2].url, /^\/v1\/health\?challenge=/, 'the listener proves it knows PAVED_TOKEN first');
      assert.equal(server.requests[3].headers.authorization, 'Bearer ci-token', 'PAVED_TOKEN wins over the token file');
      fs.rmSync(path.join(dir, 'serve.json'));
      const c3 = capture();
      assert.equal(await runServices(['--state-dir', dir], c3.io, deps), 1);
      assert.equal(c3.err(), `paved services: The local platform is not running (no live instance recorded in ${dir}). Start it with \`paved serve\`, or open the Paved view in VS Code.\n`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
