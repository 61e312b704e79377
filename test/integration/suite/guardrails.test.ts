/**
 * Issue 13 in a real VS Code against the real local platform:
 *  - parity: the same manifests through the editor's linter, `paved lint` (the packaged CLI, connected to the same
 *    platform) and the platform's deploy gate give the same policy findings (rule, severity, message, line);
 *  - a deployment the platform refuses (its set changed after the editor fetched it) shows the findings in Problems
 *    at the right lines, and the editor fetches the platform's set again.
 * Services live in a temporary folder and are registered, so the platform knows them at once.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { lineColumn, placeFindings } from '../../../src/core/manifest/index';
import { defaultPolicySetText } from '../../../src/core/policy/index';
import type { DeployResult } from '../../../src/extension/deploy/deployCommands';
import type { PavedApi } from '../../../src/extension/main';
import type { PlatformBackend } from '../../../src/platform/backend';
import { fakeTokens } from '../../unit/core/secrets/fakeTokens';
import { api, nextEvent, openLinted } from './selfServiceHelpers';

const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
const SEVERITY = ['error', 'warning', 'info', 'hint'];
const isPolicy = (ruleId: string) => !/^(schema|yaml|secrets|paved)\//.test(ruleId);

function manifest(name: string, extra: string): string {
  return `apiVersion: paved.dev/v1
kind: Service
metadata:
  name: ${name}
  owner: team-payments
  lifecycle: production
  links:
    - { title: Runbook, url: "https://wiki.example.com/runbook", type: runbook }
spec:
  runtime: { name: node, version: "20" }
  image: registry.example.com/${name}:latest
  run: { command: node server.js, port: 8080 }
  health: { path: /healthz }
  resources: { cpu: 250m, memory: 128Mi }
  oncall: { schedule: payments-primary }
  slos:
    - { name: availability, objective: 99.9, window: 30d }
${extra}`;
}

describe('Guardrails: one policy set in the editor, paved lint and the platform', function () {
  this.timeout(180_000);
  let paved: PavedApi;
  let backend: PlatformBackend;
  let tmp: string;
  const platformFile = () => path.join(paved.platform.localStateDir, 'policies.yaml');

  async function register(name: string, text: string): Promise<string> {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'paved.yaml');
    fs.writeFileSync(file, text);
    await backend.register({ manifest: (await import('yaml')).parse(text), sourceDir: dir });
    return file;
  }

  before(async () => {
    paved = await api();
    backend = await paved.platform.current();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-it-guard-'));
  });
  after(async () => {
    for (const name of ['it-parity-a', 'it-parity-b', 'it-refused', 'it-refs']) await backend.unregister(name).catch(() => undefined);
    fs.rmSync(platformFile(), { force: true });
    await paved.manifests.policies.refresh();
    fs.rmSync(tmp, { recursive: true, force: true });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('the editor, paved lint and the platform report the same findings for the same manifests', async () => {
    const t = fakeTokens();
    const files = [
      await register('it-parity-a', manifest('it-parity-a', `  env:\n    STRIPE_KEY: ${t.stripe}\n  dependsOn: [service:ledgr]\n  waivers:\n    - { rule: production-replicas, reason: one box for now, expires: ${isoDay(10)}, approvedBy: jane }\n`)),
      await register('it-parity-b', manifest('it-parity-b', `  replicas: { min: 2 }\n  waivers:\n    - { rule: no-latest-image-tag, reason: was due, expires: 2020-01-31 }\n`)),
    ];
    await paved.manifests.policies.refresh();
    paved.manifests.catalogNames!.reload();
    await paved.manifests.catalogNames!.whenLoaded();
    const cli = path.join(vscode.extensions.getExtension('paved-dev.paved')!.extensionPath, 'dist', 'cli.js');
    let compared = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const uri = vscode.Uri.file(file);
      // The editor (as you type, with the platform's set and the cached catalog names).
      const linted = nextEvent(paved.manifests.onDidLint, (e) => e.uri.toString() === uri.toString() && e.version !== undefined, 60_000, `lint of ${file}`);
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);
      await linted;
      const editor = (paved.manifests.diagnostics.get(uri) ?? [])
        .map((d) => ({ rule: String(typeof d.code === 'object' ? d.code.value : d.code), severity: SEVERITY[d.severity], message: d.message, line: d.range.start.line + 1 }))
        .filter((f) => isPolicy(f.rule));
      // paved lint, the packaged CLI, connected to the same local platform.
      const run = spawnSync(process.execPath, [cli, 'lint', file, '--format', 'json', '--require-platform'], {
        cwd: tmp,
        encoding: 'utf8',
        env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PAVED_'))), ELECTRON_RUN_AS_NODE: '1', PAVED_STATE_DIR: paved.platform.localStateDir },
      });
      assert.equal(run.status, 1, run.stderr);
      const cliFindings = (JSON.parse(run.stdout) as { files: { findings: { ruleId: string; severity: string; message: string; line: number; source: string }[] }[] }).files[0].findings
        .filter((f) => f.source === 'policy')
        .map((f) => ({ rule: f.ruleId, severity: f.severity, message: f.message, line: f.line }));
      // The platform: a deploy of the service is refused with its findings, placed on the same text.
      const name = path.basename(path.dirname(file));
      const refused = await backend.deploy(name, { environment: 'local' }).then(
        () => assert.fail('the platform deployed a manifest that breaks its rules'),
        (err: unknown) => err as { problemCode?: string; findings?: { ruleId: string; severity: string; message: string; path: string; on?: 'key' }[] },
      );
      assert.equal(refused.problemCode, 'policy-violation');
      const server = placeFindings(text, refused.findings ?? []).map((f) => ({ rule: f.ruleId, severity: f.severity, message: f.message, line: lineColumn(text, f.offset).line + 1 }));
      const key = (f: { rule: string; severity: string; message: string; line: number }) => `${f.line} ${f.severity} ${f.rule} ${f.message}`;
      assert.deepEqual(editor.map(key).sort(), server.map(key).sort(), `editor vs platform for ${name}`);
      assert.deepEqual(cliFindings.map(key).sort(), server.map(key).sort(), `paved lint vs platform for ${name}`);
      assert.ok(server.length >= 2, `${name}: a real comparison (${server.length} findings)`);
      compared += server.length;
    }
    assert.ok(compared >= 6, `${compared} findings compared`);
  });

  it('a deployment the platform refuses shows its findings in Problems at the right lines', async () => {
    const text = manifest('it-refused', '  replicas: { min: 2 }\n').replace(':latest', ':1.0.0');
    const file = await register('it-refused', text);
    await paved.manifests.policies.refresh();
    // The platform's set changes after the editor fetched it: the editor's gate lets the manifest through.
    fs.writeFileSync(
      platformFile(),
      defaultPolicySetText() +
        '\n  - { id: service-description, severity: error, mandatory: true, condition: { properties: { metadata: { required: [description] } } }, path: /metadata/description, message: Every service needs a description. }\n',
    );
    const uri = vscode.Uri.file(file);
    const shown = nextEvent(paved.selfService.refusals.onDidShow, (e) => e.uri.toString() === uri.toString(), 60_000, 'the refusal in Problems');
    const result = await vscode.commands.executeCommand<DeployResult>('paved.deploy', { service: 'it-refused', environment: 'local', manifestUri: uri.toString() });
    assert.ok(result && 'refused' in result, JSON.stringify(result));
    await shown;
    const problems = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Paved platform');
    const metadataLine = text.split('\n').indexOf('metadata:');
    assert.deepEqual(
      problems.map((d) => [typeof d.code === 'object' ? d.code.value : d.code, d.severity, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character]),
      [['service-description', vscode.DiagnosticSeverity.Error, metadataLine, 0, metadataLine, 8]],
    );
    assert.equal(problems[0].message, 'Every service needs a description. (The platform refused the deployment to local.)');
    // The editor learnt that its copy of the platform's set was stale, and fetched it again.
    await paved.manifests.policies.whenLoaded();
    assert.ok(paved.manifests.policies.platformSet.rules.some((r) => r.id === 'service-description'));
  });

  it('references: an unknown owner is a warning with the nearest team as its fix, completion offers live teams, typing asks nothing, a catalog refresh asks once', async () => {
    const cache = paved.manifests.catalogNames!;
    cache.reload();
    await cache.whenLoaded();
    const names = await backend.catalogNames();
    assert.ok(names.teams?.includes('team-payments'), 'the platform knows team-payments');
    const requests = cache.requests;
    const doc = await openLinted(paved, tmp, 'it-refs', manifest('it-refs', '').replace('owner: team-payments', 'owner: team-paymnets'));
    const editor = await vscode.window.showTextDocument(doc);
    const ownerLine = doc.getText().split('\n').findIndex((l) => l.startsWith('  owner:'));
    const knownOwner = () => (paved.manifests.diagnostics.get(doc.uri) ?? []).filter((d) => (typeof d.code === 'object' ? d.code.value : d.code) === 'known-owner');
    const [d] = knownOwner();
    assert.ok(d, 'an unknown owner is reported');
    assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
    assert.deepEqual([d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character], [ownerLine, 9, ownerLine, 9 + 'team-paymnets'.length]);
    assert.match(d.message, /Did you mean team-payments\?/);
    // Typing (a comment at the end) lints again from the cached names: no request per keystroke.
    for (const ch of ['x', 'y', 'z']) {
      const next = doc.version + 1;
      const linted = nextEvent(paved.manifests.onDidLint, (e) => e.uri.toString() === doc.uri.toString() && e.version === next, 60_000, 'lint after typing');
      await editor.edit((e) => e.insert(new vscode.Position(doc.lineCount - 1, doc.lineAt(doc.lineCount - 1).text.length), `#${ch}`));
      await linted;
    }
    assert.equal(cache.requests, requests, 'typing sent no catalog request');
    // Completion offers the platform's live team names, from the same cache.
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(ownerLine, 9 + 'team-'.length));
    const offered = list.items.filter((i) => i.kind === vscode.CompletionItemKind.Reference).map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    for (const team of names.teams!.filter((t) => t.includes('team-'))) assert.ok(offered.includes(team), `${team} offered (${offered.join(', ')})`);
    assert.equal(cache.requests, requests, 'completion sent no catalog request');
    // The quick fix puts the nearest team in place, and the warning goes.
    const range = knownOwner()[0].range;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, range);
    const fix = actions.find((a) => a.title === 'Change to team-payments');
    assert.ok(fix?.edit, actions.map((a) => a.title).join(', '));
    const fixedVersion = doc.version + 1;
    const relinted = nextEvent(paved.manifests.onDidLint, (e) => e.uri.toString() === doc.uri.toString() && e.version === fixedVersion, 60_000, 'lint after the fix');
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    await relinted;
    assert.equal(doc.lineAt(ownerLine).text, '  owner: team-payments');
    assert.deepEqual(knownOwner(), []);
    // Refresh Catalog fetches the names once more.
    await vscode.commands.executeCommand('paved.catalog.refresh');
    await cache.whenLoaded();
    assert.equal(cache.requests, requests + 1, 'one request per catalog refresh');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
