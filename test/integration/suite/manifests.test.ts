/**
 * Manifest linting in the real extension host: diagnostics (open and closed files), stale versions dropped, quick fixes,
 * completion, hover, the status item, the >1 MB on-save rule and `paved.lint.enable`. Every wait is on
 * `PavedApi.manifests.onDidLint`. Test manifests are written under the workspace copy and deleted afterwards.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PavedApi } from '../../../src/extension/main';
import { MANIFEST_FILE_NAMES, manifestText, MINIMAL, PRODUCTION } from '../../unit/core/manifest/helpers';
import { api, nextEvent } from './selfServiceHelpers';

type LintEvent = Parameters<Parameters<PavedApi['manifests']['onDidLint']>[0]>[0];

const workspace = () => process.env.PAVED_TEST_WORKSPACE ?? vscode.workspace.workspaceFolders![0].uri.fsPath;
const ROOT = () => path.join(workspace(), 'manifests-it');
/** [startLine, startCol, endLine, endCol] of a range. */
const pos = (r: vscode.Range) => [r.start.line, r.start.character, r.end.line, r.end.character];
const codeOf = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? d.code.value : d.code);
const labelOf = (i: vscode.CompletionItem) => (typeof i.label === 'string' ? i.label : i.label.label);
const hoverText = (h: vscode.Hover) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')).join('\n');

const V1ALPHA1 = `# Payments API, still on the first manifest version.
apiVersion: paved.dev/v1alpha1
kind: Service
metadata:
  name: payments-api
  team: team-payments # owning team
  lifecycle: experimental
spec:
  runtime: { name: node, version: "20" }
  # how the platform starts it
  command: node dist/server.js
  port: 8080
  healthcheck: /healthz
  replicas: 2
`;

describe('Manifest linting in the extension host', function () {
  this.timeout(120_000);
  let paved: PavedApi;
  const lintOf = (uri: vscode.Uri, match: (e: LintEvent) => boolean = () => true, what = 'lint') =>
    nextEvent<LintEvent>(paved.manifests.onDidLint, (e) => e.uri.toString() === uri.toString() && match(e), 60_000, `${what} of ${uri.path}`);

  /** Writes `<case>/paved.yaml` under the test folder, opens it and waits for its first lint. */
  async function open(name: string, text: string): Promise<{ doc: vscode.TextDocument; event: LintEvent }> {
    const file = path.join(ROOT(), name, 'paved.yaml');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    const uri = vscode.Uri.file(file);
    const linted = lintOf(uri, (e) => e.version !== undefined, 'open');
    const doc = await vscode.workspace.openTextDocument(uri);
    const event = await linted;
    assert.equal(event.version, doc.version);
    return { doc, event };
  }

  const diags = (doc: vscode.TextDocument) => paved.manifests.diagnostics.get(doc.uri) ?? [];

  /** Runs the quick fix `title` of the diagnostic `message`, waits for the re-lint of the edited version. */
  async function applyQuickFix(doc: vscode.TextDocument, message: string, range: number[], title: string): Promise<void> {
    const d = diags(doc).filter((x) => x.message === message);
    assert.equal(d.length, 1, `one diagnostic "${message}": ${diags(doc).map((x) => x.message).join(' | ')}`);
    assert.deepEqual(pos(d[0].range), range);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d[0].range);
    const action = actions.find((a) => a.title === title);
    assert.ok(action?.edit, `quick fix "${title}" among: ${actions.map((a) => a.title).join(' | ')}`);
    assert.equal(action.kind?.value, vscode.CodeActionKind.QuickFix.value);
    const version = doc.version;
    const relinted = lintOf(doc.uri, (e) => e.version !== undefined && e.version > version, 'quick fix');
    assert.equal(await vscode.workspace.applyEdit(action.edit), true);
    const e = await relinted;
    assert.equal(e.version, doc.version);
  }

  before(async () => {
    paved = await api();
    fs.rmSync(ROOT(), { recursive: true, force: true });
  });
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
  after(async () => {
    await vscode.workspace.getConfiguration('paved').update('lint.enable', undefined, vscode.ConfigurationTarget.Workspace);
    fs.rmSync(ROOT(), { recursive: true, force: true });
  });

  it('reports an unknown key in an open paved.yaml at the key, with source, code and the near match', async () => {
    const { doc } = await open('unknown-key', MINIMAL.replace('  owner: team-payments', '  ownr: team-payments'));
    const d = diags(doc);
    assert.deepEqual(
      d.map((x) => [x.source, codeOf(x), x.severity, x.message, pos(x.range)]),
      [['paved', 'schema/additionalProperties', vscode.DiagnosticSeverity.Error, 'Unknown key "ownr" in metadata. Did you mean "owner"?', [4, 2, 4, 6]]],
    );
    // The status item counts the files with diagnostics and their errors/warnings.
    let files = 0;
    let errors = 0;
    let warnings = 0;
    paved.manifests.diagnostics.forEach((_u, ds) => {
      files++;
      errors += ds.filter((x) => x.severity === vscode.DiagnosticSeverity.Error).length;
      warnings += ds.filter((x) => x.severity === vscode.DiagnosticSeverity.Warning).length;
    });
    assert.ok(errors >= 1);
    assert.equal(paved.manifests.status.text, `$(error) Paved ${files}`);
    assert.equal(paved.manifests.status.tooltip, `Paved checked ${files} manifest${files === 1 ? '' : 's'}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}. Click for the Problems view.\n${paved.manifests.policies.describe()}`);
  });

  it('lints a closed broken manifest on disk with "Paved: Lint All Manifests"', async () => {
    const file = path.join(ROOT(), 'closed', 'paved.yaml');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, MINIMAL.replace('  owner: team-payments', '  ownr: team-payments'));
    const uri = vscode.Uri.file(file);
    const linted = lintOf(uri, (e) => e.version === undefined, 'workspace lint');
    await vscode.commands.executeCommand('paved.manifests.lintAll');
    const e = await linted;
    assert.deepEqual(e.findings.map((f) => f.message), ['Unknown key "ownr" in metadata. Did you mean "owner"?']);
    assert.deepEqual(
      (paved.manifests.diagnostics.get(uri) ?? []).map((x) => [x.source, codeOf(x), x.message, pos(x.range)]),
      [['paved', 'schema/additionalProperties', 'Unknown key "ownr" in metadata. Did you mean "owner"?', [4, 2, 4, 6]]],
    );
    assert.equal(vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString()), false, 'not opened');
  });

  it('the background lint skips a manifest above its per-file limit and says so; "Lint All Manifests" lints it in full', async () => {
    const small = vscode.Uri.file(path.join(ROOT(), 'bg-small', 'paved.yaml'));
    const big = vscode.Uri.file(path.join(ROOT(), 'bg-big', 'paved.yaml'));
    for (const u of [small, big]) fs.mkdirSync(path.dirname(u.fsPath), { recursive: true });
    const broken = MINIMAL.replace('  owner: team-payments', '  ownr: team-payments');
    fs.writeFileSync(small.fsPath, broken);
    fs.writeFileSync(big.fsPath, broken + '# padding for the background size limit ..............................\n'.repeat(6_000));
    const bigSize = fs.statSync(big.fsPath).size;
    assert.ok(bigSize > 256 * 1024);

    paved.manifests.diagnostics.delete(big);
    const smallLinted = lintOf(small, (e) => e.version === undefined, 'background lint');
    // The default per-file limit; byte and time budgets this busy test machine cannot spend before reaching bg-small.
    await paved.manifests.lintWorkspace({ background: true, limits: { perFileBytes: 256 * 1024, totalBytes: 1e9, totalMs: 1e9 } });
    assert.deepEqual((await smallLinted).findings.map((f) => f.message), ['Unknown key "ownr" in metadata. Did you mean "owner"?']);
    assert.equal((paved.manifests.diagnostics.get(big) ?? []).length, 0, 'the large file was not linted in the background');
    const note = paved.manifests.skippedNote ?? '';
    assert.ok(note.includes(`${vscode.workspace.asRelativePath(big)} (${Math.ceil(bigSize / 1024)} KB)`), note);
    assert.ok((paved.manifests.status.tooltip as string).includes(note), 'the status bar tooltip says what was skipped');

    const bigLinted = lintOf(big, (e) => e.version === undefined, 'full workspace lint');
    await vscode.commands.executeCommand('paved.manifests.lintAll');
    assert.deepEqual((await bigLinted).findings.map((f) => f.message), ['Unknown key "ownr" in metadata. Did you mean "owner"?']);
    assert.equal(paved.manifests.skippedNote, undefined);
    fs.rmSync(big.fsPath);
    paved.manifests.diagnostics.delete(big);
  });

  it('"Lint All Manifests" finds every manifest by name (x-paved.yaml, .yml, prefixed, any case), as paved lint and the catalog do', async () => {
    // The names test/unit/core/manifest/kinds.test.ts holds the file-name matcher, paved lint and the catalog scan to,
    // each file in a folder of its own; non-manifest names carry manifest content (Lint All goes by name); and one
    // manifest under a folder no search enters.
    const dir = path.join(ROOT(), 'names');
    const expected: string[] = [];
    Object.entries(MANIFEST_FILE_NAMES).forEach(([name, kind], i) => {
      const rel = path.join(`f${i}`, name);
      fs.mkdirSync(path.join(dir, `f${i}`), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), manifestText(kind === 'unknown' ? 'paved' : kind, i));
      if (kind !== 'unknown') expected.push(rel);
    });
    fs.mkdirSync(path.join(dir, 'dist'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'dist', 'paved.yaml'), manifestText('paved', 999));
    const linted = new Set<string>();
    const listener = paved.manifests.onDidLint((e) => {
      if (e.version === undefined && e.uri.fsPath.startsWith(dir + path.sep)) linted.add(path.relative(dir, e.uri.fsPath));
    });
    try {
      await vscode.commands.executeCommand('paved.manifests.lintAll');
    } finally {
      listener.dispose();
    }
    assert.ok(expected.some((rel) => path.basename(rel) === 'x-paved.yaml'));
    assert.deepEqual([...linted].sort(), expected.sort());
  });

  it('after several quick edits reports only the last version', async () => {
    const { doc } = await open('quick-edits', MINIMAL);
    assert.deepEqual(diags(doc), []);
    const seen: (number | undefined)[] = [];
    const sub = paved.manifests.onDidLint((e) => {
      if (e.uri.toString() === doc.uri.toString()) seen.push(e.version);
    });
    try {
      // Typed faster than the 250 ms debounce: each edit is applied without waiting for a lint.
      const first = doc.version;
      for (const t of ['  o: team-payments', '  ow: team-payments', '  ownr: team-payments']) {
        const edit = new vscode.WorkspaceEdit();
        edit.replace(doc.uri, doc.lineAt(4).range, t);
        assert.equal(await vscode.workspace.applyEdit(edit), true);
      }
      const last = doc.version;
      assert.equal(last, first + 3);
      await lintOf(doc.uri, (e) => e.version === last, 'last edit');
      assert.deepEqual(seen, [last], 'no lint result for an intermediate version');
      assert.deepEqual(
        diags(doc).map((x) => [x.message, pos(x.range)]),
        [['Unknown key "ownr" in metadata. Did you mean "owner"?', [4, 2, 4, 6]]],
      );
    } finally {
      sub.dispose();
    }
  });

  it('quick fix: renames an unknown key to its near match', async () => {
    const { doc } = await open('fix-rename', MINIMAL.replace('  owner: team-payments', '  ownr: team-payments'));
    await applyQuickFix(doc, 'Unknown key "ownr" in metadata. Did you mean "owner"?', [4, 2, 4, 6], 'Rename "ownr" to "owner"');
    assert.equal(doc.getText(), MINIMAL);
    assert.deepEqual(diags(doc), []);
  });

  it('quick fix: adds a missing required key with its default', async () => {
    const text = MINIMAL.replace('  run:\n    command: node dist/server.js\n    port: 8080\n', '  run:\n    port: 8080\n');
    const { doc } = await open('fix-missing', text);
    await applyQuickFix(doc, 'Missing required key "command" in spec.run.', [8, 2, 8, 5], 'Add missing key "command"');
    assert.equal(doc.getText(), text.replace('    port: 8080\n', '    port: 8080\n    command: node dist/server.js\n'));
    assert.deepEqual(diags(doc), []);
  });

  it('quick fix: moves a plaintext secret to a secret reference', async () => {
    const text = PRODUCTION.replace('    LOG_LEVEL: info\n', '    LOG_LEVEL: info\n    DB_PASSWORD: hunter2-hunter2\n');
    const { doc } = await open('fix-secret', text);
    await applyQuickFix(
      doc,
      'Plaintext secret in spec.env; move it to spec.secrets as a secret reference.',
      [17, 4, 17, 15],
      'Move DB_PASSWORD to a secret reference (vault://payments-api/db-password#value); store the value in your secret store',
    );
    assert.equal(doc.getText().includes('hunter2'), false, 'the plaintext value is gone');
    assert.ok(doc.getText().includes('  secrets:\n    DB_PASSWORD:\n      ref: vault://payments-api/db-password#value\n'), doc.getText());
    assert.deepEqual(diags(doc).map((x) => x.message), []);
  });

  it('quick fix: migrates v1alpha1 to v1, keeping comments', async () => {
    const { doc } = await open('fix-migrate', V1ALPHA1);
    await applyQuickFix(doc, 'paved.dev/v1alpha1 is deprecated: migrate this manifest to paved.dev/v1.', [1, 12, 1, 30], 'Migrate this manifest to paved.dev/v1');
    assert.equal(
      doc.getText(),
      `# Payments API, still on the first manifest version.
apiVersion: paved.dev/v1
kind: Service
metadata:
  name: payments-api
  owner: team-payments # owning team
  lifecycle: experimental
spec:
  runtime: { name: node, version: "20" }
  # how the platform starts it
  run:
    command: node dist/server.js
    port: 8080
  health:
    path: /healthz
  replicas: { min: 2, max: 2 }
`,
    );
    assert.deepEqual(diags(doc), []);
  });

  it('completes keys with snippets for required children, and enum values after "lifecycle: "', async () => {
    const { doc } = await open('completion', MINIMAL.replace('  run:\n', '  \n  run:\n').replace('lifecycle: experimental', 'lifecycle: pro'));
    const keys = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(7, 2));
    const health = keys.items.find((i) => labelOf(i) === 'health');
    assert.ok(health, keys.items.map(labelOf).join(', '));
    assert.equal(health.kind, vscode.CompletionItemKind.Property);
    assert.ok(health.insertText instanceof vscode.SnippetString);
    assert.equal(health.insertText.value, 'health:\n  path: ${1:/healthz}');
    assert.equal(keys.items.some((i) => labelOf(i) === 'runtime' || labelOf(i) === 'run'), false, 'present keys are not offered');

    const lifecycleLine = doc.lineAt(5).text;
    assert.equal(lifecycleLine, '  lifecycle: pro');
    const values = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(5, lifecycleLine.length));
    const enums = values.items.filter((i) => i.kind === vscode.CompletionItemKind.EnumMember).sort((a, b) => (a.sortText ?? labelOf(a)).localeCompare(b.sortText ?? labelOf(b)));
    assert.deepEqual(enums.map(labelOf), ['experimental', 'production', 'deprecated'], 'the schema order (sortText), not alphabetical');
    const r = enums[1].range;
    assert.ok(r instanceof vscode.Range, 'a single replace range');
    assert.deepEqual(pos(r), [5, 13, 5, 16]);
  });

  it('hovers with the schema description and the policy docs', async () => {
    const { doc } = await open('hover', MINIMAL);
    const text = doc.getText();
    const lifecycle = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, doc.positionAt(text.indexOf('lifecycle') + 2));
    const h = lifecycle.find((x) => hoverText(x).startsWith('**metadata.lifecycle**'));
    assert.ok(h, lifecycle.map(hoverText).join('\n---\n'));
    assert.ok(hoverText(h).startsWith('**metadata.lifecycle**\n\nWhere the service is in its life'), hoverText(h));
    assert.ok(hoverText(h).includes('Allowed: `experimental`, `production`, `deprecated`'), hoverText(h));
    assert.deepEqual(pos(h.range!), [5, 2, 5, 11]);
    const owner = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, doc.positionAt(text.indexOf('owner') + 1));
    assert.ok(
      owner.some((x) => hoverText(x).includes('**Policy `production-owner`** (error, mandatory): A production service has an owning team')),
      owner.map(hoverText).join('\n---\n'),
    );
  });

  it('a file above 1 MB gets one warning while typing, and is linted in full when saved', async () => {
    const padding = '# padding line for the size limit test ...............................................\n'.repeat(12_000);
    const text = MINIMAL.replace('  owner: team-payments', '  ownr: team-payments') + padding;
    assert.ok(text.length > 1_000_000);
    const { doc } = await open('large', text);
    const tooLarge = [[vscode.DiagnosticSeverity.Warning, `This file is ${(text.length / 1_000_000).toFixed(1)} MB, above the 1.0 MB limit: it is linted on save and by \`paved lint\` only.`, [0, 0, 0, 24]]];
    assert.deepEqual(diags(doc).map((x) => [x.severity, x.message, pos(x.range)]), tooLarge);

    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(doc.lineCount - 1, 0), '# one more line\n');
    const before = doc.version;
    const typed = lintOf(doc.uri, (e) => e.version === before + 1, 'typing');
    assert.equal(await vscode.workspace.applyEdit(edit), true);
    await typed;
    assert.equal(diags(doc).length, 1, 'still one warning while typing');
    assert.equal(diags(doc)[0].severity, vscode.DiagnosticSeverity.Warning);

    const saved = lintOf(doc.uri, (e) => e.version === doc.version && !e.findings.some((f) => f.ruleId === 'paved/file-too-large'), 'save');
    assert.equal(await doc.save(), true);
    await saved;
    assert.deepEqual(
      diags(doc).map((x) => [x.message, pos(x.range)]),
      [['Unknown key "ownr" in metadata. Did you mean "owner"?', [4, 2, 4, 6]]],
    );
  });

  it('paved.lint.enable: false clears the diagnostics of open and closed manifests; true brings them back', async () => {
    const { doc } = await open('toggle', MINIMAL.replace('  owner: team-payments', '  ownr: team-payments'));
    assert.equal(diags(doc).length, 1);
    const closed = vscode.Uri.file(path.join(ROOT(), 'closed', 'paved.yaml'));
    assert.equal((paved.manifests.diagnostics.get(closed) ?? []).length, 1, 'the closed file of an earlier test still has its diagnostic');
    const config = vscode.workspace.getConfiguration('paved');
    try {
      const cleared = Promise.all([lintOf(doc.uri, (e) => e.findings.length === 0, 'clear open'), lintOf(closed, (e) => e.findings.length === 0, 'clear closed')]);
      await config.update('lint.enable', false, vscode.ConfigurationTarget.Workspace);
      await cleared;
      assert.deepEqual(diags(doc), []);
      assert.equal(paved.manifests.diagnostics.has(closed), false);
    } finally {
      const back = lintOf(doc.uri, (e) => e.findings.length === 1, 'relint');
      await config.update('lint.enable', undefined, vscode.ConfigurationTarget.Workspace);
      await back;
    }
    assert.deepEqual(diags(doc).map((x) => x.message), ['Unknown key "ownr" in metadata. Did you mean "owner"?']);
  });
});
