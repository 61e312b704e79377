/**
 * `paved lint` with the platform's policy set (a running local platform, or --url with PAVED_TOKEN), without one (the
 * default set and a note), with --require-platform (exit 2); references checked against the platform's catalog; and
 * `paved promote` refused by the platform itself, its findings printed as file:line:col. Real processes against a real
 * `paved serve`.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultPolicySetText } from '../../src/core/policy/index';
import { portBase, repoRoot, serve, tempDir, writeService, type Served } from '../contract/helpers';
import { buildCli, runCli } from './helpers';

const RUNTIME = '  runtime: { name: node, version: "20" }';
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PAVED_')));
const DESCRIPTION_RULE = `
  - id: service-description
    severity: error
    mandatory: true
    condition: { properties: { metadata: { required: [description] } } }
    path: /metadata/description
    message: Every service needs a description (metadata.description).
`;

describe('paved lint and deploy against the platform’s guardrails', function () {
  this.timeout(120_000);
  let bundle = '';
  let served: Served;
  let stateDir: string;
  let ws: string;
  const lintRun = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(bundle, ['lint', ...args], { cwd: ws, env: { ...cleanEnv, PAVED_STATE_DIR: stateDir, ...env } });

  before(async () => {
    bundle = buildCli('guardrails');
    stateDir = tempDir('cli-guard-state');
    ws = tempDir('cli-guard-ws');
    writeService(path.join(ws, 'orders'), 'orders', { owner: 'team-orders', extraSpec: [RUNTIME] });
    writeService(path.join(ws, 'ledger'), 'ledger', { owner: 'team-ledger', extraSpec: [RUNTIME] });
    served = await serve(['--port', '0', '--state-dir', stateDir, '--workspace', ws, '--port-base', String(portBase()), '--idle-timeout', '0'], {}, bundle);
  });
  after(async () => {
    await served?.stop();
    fs.rmSync(bundle, { force: true });
  });

  it("with the running local platform: its policy set and its catalog (unknown owner → warning with the nearest team)", async () => {
    fs.writeFileSync(path.join(stateDir, 'policies.yaml'), defaultPolicySetText().replace('name: paved-default', 'name: acme').replace('version: "2026.12.1"', 'version: "42"') + DESCRIPTION_RULE);
    // A new service, not in the catalog yet (the local catalog counts every owner it holds as a team).
    const draft = tempDir('cli-guard-draft');
    fs.mkdirSync(path.join(draft, 'orders'));
    fs.writeFileSync(path.join(draft, 'orders', 'paved.yaml'), fs.readFileSync(path.join(ws, 'orders', 'paved.yaml'), 'utf8').replace('owner: team-orders', 'owner: team-ordrs').replace('name: orders', 'name: orders-v2'));
    const lintRun = (args: string[]) => runCli(bundle, ['lint', ...args], { cwd: draft, env: { ...cleanEnv, PAVED_STATE_DIR: stateDir } });
    try {
      const r = await lintRun(['orders/paved.yaml']);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr, '');
      assert.equal(
        r.stdout,
        [
          'orders/paved.yaml:3:1 error service-description Every service needs a description (metadata.description).',
          "orders/paved.yaml:6:10 warning known-owner metadata.owner names no team of the platform's catalog. Did you mean team-orders?",
          '1 file checked: 1 error, 1 warning',
          '',
        ].join('\n'),
      );
      const sarif = JSON.parse((await lintRun(['orders/paved.yaml', '--format', 'sarif'])).stdout);
      assert.deepEqual(sarif.runs[0].properties.policySet, { name: 'acme', version: '42', source: `Local platform (${served.url})` });
      assert.deepEqual(sarif.runs[0].tool.extensions.map((e: { name: string; version: string }) => [e.name, e.version]), [['acme', '42']]);
    } finally {
      fs.rmSync(path.join(stateDir, 'policies.yaml'), { force: true });
    }
  });

  it('with --url and PAVED_TOKEN: the same, from a platform named by URL', async () => {
    const r = await lintRun(['ledger/paved.yaml', '--url', served.url, '--format', 'json'], { PAVED_TOKEN: served.token, PAVED_STATE_DIR: tempDir('cli-guard-none') });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual(JSON.parse(r.stdout).policySet, { name: 'paved-default', version: '2026.12.1', source: `Paved platform (${served.url})` });
  });

  it('without a platform: the default set, with a note that says why; --require-platform makes it an error (exit 2)', async () => {
    const none = tempDir('cli-guard-none');
    const r = await lintRun(['ledger/paved.yaml'], { PAVED_STATE_DIR: none });
    assert.equal(r.code, 0);
    assert.equal(r.stderr, `paved lint: linting with Paved's default policy set: no local platform is running (state dir ${none}) and no --url or PAVED_URL names one\n`);
    const strict = await lintRun(['ledger/paved.yaml', '--require-platform'], { PAVED_STATE_DIR: none });
    assert.equal(strict.code, 2);
    assert.equal(strict.stdout, '');
    assert.match(strict.stderr, /^paved lint: --require-platform: no local platform is running/);
    // A platform that does not answer is the same case.
    const down = await lintRun(['ledger/paved.yaml', '--url', 'http://127.0.0.1:9', '--require-platform'], { PAVED_TOKEN: 'x' });
    assert.equal(down.code, 2);
    assert.match(down.stderr, /^paved lint: --require-platform: Paved platform \(http:\/\/127\.0\.0\.1:9\) could not be asked: fetch failed/);
    const wrongToken = await lintRun(['ledger/paved.yaml', '--url', served.url], { PAVED_TOKEN: 'wrong' });
    assert.equal(wrongToken.code, 0);
    assert.match(wrongToken.stderr, /linting with Paved's default policy set: Paved platform .* could not be asked: GET \/v1\/policies answered HTTP 401/);
  });

  it('paved promote refused by the platform itself (the release predates the fix): findings as file:line:col, exit 1', async () => {
    const env = { ...cleanEnv, PAVED_STATE_DIR: stateDir };
    const deployed = await runCli(bundle, ['deploy', 'ledger', '--env', 'local', '--wait'], { cwd: repoRoot, env });
    assert.equal(deployed.code, 0, deployed.stderr);
    // The platform now requires a description; the source gets one, but the release running in local was built without:
    // the platform's finding (at /metadata/description) lands on that key of the file as it is now.
    fs.writeFileSync(path.join(stateDir, 'policies.yaml'), defaultPolicySetText() + DESCRIPTION_RULE);
    const file = path.join(ws, 'ledger', 'paved.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('  title: ledger service\n', '  title: ledger service\n  description: Keeps the books.\n'));
    try {
      const r = await runCli(bundle, ['promote', 'ledger', '--from', 'local'], { cwd: ws, env });
      assert.equal(r.code, 1, r.stderr);
      assert.equal(
        r.stderr,
        [
          'paved promote: the platform refused it (policy set paved-default 2026.12.1): ledger cannot be deployed to staging; its manifest has 1 policy error(s):',
          'ledger/paved.yaml:6:16 error service-description Every service needs a description (metadata.description).',
          '',
        ].join('\n'),
      );
    } finally {
      fs.rmSync(path.join(stateDir, 'policies.yaml'), { force: true });
    }
  });
});
