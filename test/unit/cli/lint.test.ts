/**
 * `paved lint` as a process: the CLI built by `npm run build:cli` itself (dispatcher, lint and commands bundles) into a
 * temporary folder, so a stale dist/ never decides the result, run with node in a temporary workspace; stdout, stderr
 * and the exit code are checked.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { globToRegExp } from '../../../src/cli/lint';
import { MINIMAL, PRODUCTION } from '../core/manifest/helpers';

const ROOT = path.resolve(__dirname, '..', '..', '..');
let cli = '';
/** No platform: a state dir nothing runs in, and none of the caller's connection variables. */
let env: NodeJS.ProcessEnv = {};
const NOTE = () => `paved lint: linting with Paved's default policy set: no local platform is running (state dir ${env.PAVED_STATE_DIR}) and no --url or PAVED_URL names one\n`;

function paved(cwd: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, 'lint', ...args], { cwd, env, encoding: 'utf8', timeout: 60000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('paved lint (process)', function () {
  this.timeout(120000);
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-lint-'));
    env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PAVED_'))), PAVED_STATE_DIR: path.join(dir, 'no-platform') };
    cli = path.join(dir, '.bin', 'cli.js');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const build = spawnSync(npm, ['run', '--silent', 'build:cli', '--', `--outdir=${path.dirname(cli)}`], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    fs.mkdirSync(path.join(dir, 'svc', 'node_modules', 'x'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'svc', 'paved.yaml'), PRODUCTION);
    fs.writeFileSync(path.join(dir, 'svc', 'node_modules', 'x', 'paved.yaml'), 'not: [valid\n');
    fs.writeFileSync(path.join(dir, 'bad.paved.yaml'), MINIMAL.replace('  owner: team-payments', '  ownr: team-payments').replace('port: 8080', 'port: eighty'));
    fs.writeFileSync(path.join(dir, 'warn.paved.yaml'), PRODUCTION.replace('type: runbook', 'type: docs'));
    fs.writeFileSync(path.join(dir, 'policies.yaml'), 'apiVersion: paved.dev/v1\nkind: PolicySet\nrules:\n  - id: needs-title\n    condition: { properties: { metadata: { required: [title] } } }\n    path: /metadata/title\n    message: Give the service a title.\n');
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('loads only the dispatcher and the lint bundle (not the other commands, not the platform client)', () => {
    const preload = path.join(dir, 'record-loads.js');
    fs.writeFileSync(preload, `const M = require('module'); const js = M._extensions['.js'];
M._extensions['.js'] = function (m, f) { process.stderr.write('loaded ' + require('path').basename(f) + '\\n'); return js.call(this, m, f); };\n`);
    const r = spawnSync(process.execPath, ['-r', preload, cli, 'lint', 'svc/paved.yaml'], { cwd: dir, env, encoding: 'utf8', timeout: 60000 });
    assert.equal(r.stdout, '1 file checked: 0 errors, 0 warnings\n');
    assert.deepEqual(r.stderr.trim().split('\n'), ['loaded cli.js', 'loaded lint.js', NOTE().trim()]);
    const services = spawnSync(process.execPath, ['-r', preload, cli, 'services', '--help'], { cwd: dir, env, encoding: 'utf8', timeout: 60000 });
    assert.deepEqual(services.stderr.trim().split('\n'), ['loaded cli.js', 'loaded commands.js']);
  });

  it('exits 0 on a clean file and says what it checked', () => {
    const r = paved(dir, 'svc/paved.yaml');
    assert.equal(r.stdout, '1 file checked: 0 errors, 0 warnings\n');
    assert.equal(r.stderr, NOTE(), 'without a platform, a note says which set applies and why');
    assert.equal(r.code, 0);
  });

  it('prints file:line:col severity rule message and exits 1 on errors', () => {
    const r = paved(dir, 'bad.paved.yaml');
    assert.equal(
      r.stdout,
      [
        'bad.paved.yaml:5:3 error schema/additionalProperties Unknown key "ownr" in metadata. Did you mean "owner"?',
        'bad.paved.yaml:11:11 error schema/type Incorrect type: spec.run.port must be an integer, not a string.',
        '1 file checked: 2 errors, 0 warnings',
        '',
      ].join('\n'),
    );
    assert.equal(r.code, 1);
  });

  it('prints paths relative to the working directory, also for files outside it', () => {
    const r = paved(path.join(dir, 'svc'), '../bad.paved.yaml', path.join(dir, 'svc', 'paved.yaml'));
    assert.equal(
      r.stdout,
      [
        '../bad.paved.yaml:5:3 error schema/additionalProperties Unknown key "ownr" in metadata. Did you mean "owner"?',
        '../bad.paved.yaml:11:11 error schema/type Incorrect type: spec.run.port must be an integer, not a string.',
        '2 files checked: 2 errors, 0 warnings',
        '',
      ].join('\n'),
    );
    const inside = paved(dir, '--format', 'json', path.join(dir, 'bad.paved.yaml'), 'svc');
    assert.deepEqual(JSON.parse(inside.stdout).files.map((f: { file: string }) => f.file), ['bad.paved.yaml', 'svc/paved.yaml']);
  });

  it('lints a directory (skipping node_modules) and globs, in one process', () => {
    const r = paved(dir, '.', '--max-warnings', '5');
    assert.match(r.stdout, /^3 files checked: 2 errors, 1 warning$/m);
    assert.ok(!r.stdout.includes('node_modules'));
    const g = paved(dir, '**/*.paved.yaml');
    assert.match(g.stdout, /^2 files checked: 2 errors, 1 warning$/m);
  });

  it('counts columns after a BOM like an editor does, and keeps CRLF lines apart', () => {
    fs.writeFileSync(path.join(dir, 'bom.paved.yaml'), '\ufeff' + MINIMAL.replace('kind: Service', 'kind: Servce').replace(/\n/g, '\r\n'));
    try {
      const r = paved(dir, 'bom.paved.yaml');
      assert.equal(r.stdout, 'bom.paved.yaml:2:7 error schema/enum kind must be one of: Service. Did you mean "Service"?\n1 file checked: 1 error, 0 warnings\n');
      fs.writeFileSync(path.join(dir, 'bom.paved.yaml'), '\ufeff' + MINIMAL.replace('paved.dev/v1', 'paved.dev/v9'));
      assert.match(paved(dir, 'bom.paved.yaml').stdout, /^bom\.paved\.yaml:1:13 error schema\/apiVersion /);
    } finally {
      fs.rmSync(path.join(dir, 'bom.paved.yaml'));
    }
  });

  it('--max-warnings: exit 1 when warnings exceed it, 0 otherwise', () => {
    const over = paved(dir, 'warn.paved.yaml', '--max-warnings', '0');
    assert.equal(over.code, 1);
    assert.equal(over.stderr, `${NOTE()}paved lint: 1 warnings, more than --max-warnings 0\n`);
    assert.equal(paved(dir, 'warn.paved.yaml', '--max-warnings=1').code, 0);
  });

  it('--format json', () => {
    const r = paved(dir, 'bad.paved.yaml', '--format', 'json');
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.summary, { files: 1, errors: 2, warnings: 0 });
    assert.deepEqual(out.policySet, { name: 'paved-default', version: '2026.12.1', source: "Paved's default set" });
    assert.deepEqual(out.files[0].findings[0], {
      line: 5,
      column: 3,
      endLine: 5,
      endColumn: 7,
      offset: out.files[0].findings[0].offset,
      length: 4,
      severity: 'error',
      ruleId: 'schema/additionalProperties',
      source: 'schema',
      message: 'Unknown key "ownr" in metadata. Did you mean "owner"?',
      docsUrl: 'https://paved.dev/docs/manifest#paved.v1',
      fixes: ['Rename "ownr" to "owner"'],
    });
    assert.equal(r.code, 1);
  });

  it('--format sarif: valid SARIF 2.1.0 with rules, levels and 1-based regions', () => {
    const r = paved(dir, 'bad.paved.yaml', 'warn.paved.yaml', '--format', 'sarif');
    const log = JSON.parse(r.stdout);
    assert.equal(log.version, '2.1.0');
    assert.equal(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
    assert.equal(log.runs.length, 1);
    const run = log.runs[0];
    assert.equal(run.tool.driver.name, 'paved');
    // The policy set the findings come from, with its version.
    assert.deepEqual(run.tool.extensions, [{ name: 'paved-default', version: '2026.12.1', fullName: "policy set paved-default 2026.12.1 (Paved's default set)" }]);
    assert.deepEqual(run.properties.policySet, { name: 'paved-default', version: '2026.12.1', source: "Paved's default set" });
    assert.equal(run.columnKind, 'utf16CodeUnits');
    assert.deepEqual(
      run.results.map((x: any) => [x.ruleId, x.level, x.locations[0].physicalLocation.artifactLocation.uri, x.locations[0].physicalLocation.region.startLine, x.locations[0].physicalLocation.region.startColumn]),
      [
        ['schema/additionalProperties', 'error', 'bad.paved.yaml', 5, 3],
        ['schema/type', 'error', 'bad.paved.yaml', 11, 11],
        ['production-runbook', 'warning', 'warn.paved.yaml', 7, 3],
      ],
    );
    for (const res of run.results) {
      assert.equal(run.tool.driver.rules[res.ruleIndex].id, res.ruleId, 'ruleIndex points at the rule');
      assert.equal(typeof res.message.text, 'string');
      assert.equal(res.locations[0].physicalLocation.artifactLocation.uriBaseId, '%SRCROOT%');
      const reg = res.locations[0].physicalLocation.region;
      assert.ok(reg.endLine >= reg.startLine && reg.startColumn >= 1 && reg.endColumn >= 1);
    }
    assert.ok(run.originalUriBaseIds['%SRCROOT%'].uri.startsWith('file:///'));
    assert.ok(run.originalUriBaseIds['%SRCROOT%'].uri.endsWith('/'));
    assert.equal(r.code, 1);
  });

  it('--policies replaces the platform set; .paved/policies.yaml is merged and refusals are reported', () => {
    const r = paved(dir, 'svc/paved.yaml', '--policies', 'policies.yaml');
    assert.equal(r.stdout, 'svc/paved.yaml:3:1 error needs-title Give the service a title.\n1 file checked: 1 error, 0 warnings\n');
    assert.equal(r.code, 1);
    fs.mkdirSync(path.join(dir, '.paved'));
    try {
      fs.writeFileSync(path.join(dir, '.paved', 'policies.yaml'), 'apiVersion: paved.dev/v1\nkind: PolicySet\nrules:\n  - { id: no-plaintext-secret, enabled: false }\n');
      const m = paved(dir, 'svc/paved.yaml');
      assert.equal(m.stderr, `${NOTE()}paved lint: .paved/policies.yaml: rule "no-plaintext-secret" is mandatory on this platform; refused to switch it off.\n`);
      assert.equal(m.code, 0);
    } finally {
      fs.rmSync(path.join(dir, '.paved'), { recursive: true });
    }
  });

  it('exit 2 on usage and I/O errors, with a message', () => {
    const unknown = paved(dir, '--frobnicate');
    assert.equal(unknown.code, 2);
    assert.ok(unknown.stderr.startsWith("paved lint: unknown option '--frobnicate'\nUsage: paved lint"));
    const format = paved(dir, '--format', 'xml');
    assert.equal(format.code, 2);
    assert.ok(format.stderr.startsWith("paved lint: --format must be text, json or sarif, not 'xml'\n"));
    const missing = paved(dir, 'nope.yaml');
    assert.equal(missing.stderr, 'paved lint: nope.yaml: no such file or directory\n');
    assert.equal(missing.code, 2);
    const badPolicies = paved(dir, 'svc/paved.yaml', '--policies', 'svc/paved.yaml');
    assert.ok(badPolicies.stderr.includes('paved lint: svc/paved.yaml: invalid policy set: '), badPolicies.stderr);
    assert.equal(badPolicies.code, 2);
    const none = paved(dir, 'nothing/**/*.yaml');
    assert.equal(none.code, 2);
    assert.equal(none.stderr, "paved lint: 'nothing/**/*.yaml' matches no file\npaved lint: no manifest files found (looked for paved.yaml, catalog-info.yaml, score.yaml)\n");
  });

  it('matches globs like a shell', () => {
    assert.ok(globToRegExp('**/*.yaml').test('a/b/c.yaml'));
    assert.ok(globToRegExp('**/*.yaml').test('c.yaml'));
    assert.ok(!globToRegExp('*.yaml').test('a/c.yaml'));
    assert.ok(globToRegExp('svc-?/{paved,score}.y*ml').test('svc-1/score.yml'));
    assert.ok(!globToRegExp('svc-?/{paved,score}.yaml').test('svc-12/paved.yaml'));
  });
});
