/**
 * Paved beside the Red Hat YAML extension (`redhat.vscode-yaml`; here the test-only stand-in from
 * test/integration/redhat-yaml/extension, which validates with the real yaml-language-server library): a YAML problem
 * is reported once, by whichever extension reports it, and Paved's schema and policy findings still appear.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../../src/extension/ids';
import type { PavedApi } from '../../../src/extension/main';
import { RED_HAT_YAML } from '../../../src/extension/manifests/manifestLinter';
import { MINIMAL } from '../../unit/core/manifest/helpers';
import type { RedHatYamlStandInApi } from './extension/extension';
import { api, nextEvent } from '../suite/selfServiceHelpers';

const workspace = () => process.env.PAVED_TEST_WORKSPACE ?? vscode.workspace.workspaceFolders![0].uri.fsPath;
const ROOT = () => path.join(workspace(), 'redhat-yaml-it');
const pos = (r: vscode.Range) => [r.start.line, r.start.character, r.end.line, r.end.character];
const codeOf = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? d.code.value : d.code);

const FLOW_ERROR = 'Flow sequence in block collection must be sufficiently indented and end with a ]';
/** A production manifest with an unknown key (schema), no owner (policy) and an unclosed flow sequence (YAML syntax). */
const BROKEN = MINIMAL.replace('lifecycle: experimental', 'lifecycle: production').replace('  owner: team-payments', '  ownr: team-payments\n  tags: [typescript, http');

describe('Paved beside the Red Hat YAML extension', function () {
  this.timeout(120_000);
  let paved: PavedApi;
  let redHat: RedHatYamlStandInApi;

  /** Writes and opens a manifest; resolves when both extensions have checked the opened version. */
  async function open(name: string, text: string): Promise<vscode.TextDocument> {
    const file = path.join(ROOT(), name, 'paved.yaml');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    const uri = vscode.Uri.file(file);
    const linted = nextEvent(paved.manifests.onDidLint, (e) => e.uri.toString() === uri.toString() && e.version !== undefined, 60_000, `Paved lint of ${name}`);
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.languageId, 'yaml');
    await Promise.all([linted, redHat.validated(uri, doc.version)]);
    return doc;
  }
  const all = (doc: vscode.TextDocument) => vscode.languages.getDiagnostics(doc.uri);
  const from = (doc: vscode.TextDocument, source: string) => all(doc).filter((d) => d.source === source);

  before(async () => {
    const ext = vscode.extensions.getExtension<RedHatYamlStandInApi>(RED_HAT_YAML);
    assert.ok(ext, `${RED_HAT_YAML} (the stand-in) is installed in this window`);
    redHat = await ext.activate();
    paved = await api();
    fs.rmSync(ROOT(), { recursive: true, force: true });
  });
  afterEach(async () => {
    await vscode.workspace.getConfiguration('yaml').update('validate', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
  after(() => fs.rmSync(ROOT(), { recursive: true, force: true }));

  it('a YAML syntax error is reported once (by Red Hat YAML), and Paved’s schema and policy findings still appear', async () => {
    const doc = await open('syntax', BROKEN);
    assert.equal(doc.lineAt(5).text, '  tags: [typescript, http');
    const flow = all(doc).filter((d) => d.message === FLOW_ERROR);
    assert.deepEqual(
      flow.map((d) => [d.source, d.severity, pos(d.range)]),
      [['YAML', vscode.DiagnosticSeverity.Error, [6, 2, 6, 24]]],
      'one diagnostic for the syntax error, from the YAML extension',
    );
    const paved_ = from(doc, 'paved');
    assert.deepEqual(
      paved_.filter((d) => String(codeOf(d)).startsWith('yaml/')),
      [],
      'Paved leaves YAML syntax errors to the YAML extension',
    );
    const byCode = new Map(paved_.map((d) => [codeOf(d), [d.message, pos(d.range)]]));
    assert.deepEqual(byCode.get('schema/additionalProperties'), ['Unknown key "ownr" in metadata. Did you mean "owner"?', [4, 2, 4, 6]]);
    assert.deepEqual(byCode.get('production-owner'), ['Production services need an owner (metadata.owner).', [2, 0, 2, 8]]);
  });

  it('a duplicate key is reported once too', async () => {
    const doc = await open('duplicate', MINIMAL.replace('    port: 8080', '    port: 8080\n    port: 8081'));
    assert.deepEqual(
      all(doc).map((d) => [d.source, d.message, d.range.start.line, d.range.start.character]),
      [['YAML', 'Map keys must be unique', 11, 4]],
    );
  });

  it('a YAML problem only Paved detects (a complex key) stays Paved’s', async () => {
    const doc = await open('complex-key', `${MINIMAL}? [a, b]\n: 1\n`);
    assert.deepEqual(
      all(doc).map((d) => [d.source, codeOf(d), d.message, pos(d.range)]),
      [['paved', 'yaml/complex-key', 'Only plain or quoted keys are supported in manifests; this entry is ignored.', [11, 2, 11, 8]]],
    );
  });

  it('with yaml.validate off, Paved reports the syntax error itself — still once', async () => {
    const doc = await open('validate-off', BROKEN);
    const relinted = nextEvent(paved.manifests.onDidLint, (e) => e.uri.toString() === doc.uri.toString() && e.findings.some((f) => f.message === FLOW_ERROR), 60_000, 'Paved re-lint');
    const cleared = nextEvent(redHat.onDidValidate, (v) => v.uri.toString() === doc.uri.toString() && v.diagnostics.length === 0, 60_000, 'YAML extension off');
    await vscode.workspace.getConfiguration('yaml').update('validate', false, vscode.ConfigurationTarget.Workspace);
    await Promise.all([relinted, cleared]);
    const flow = all(doc).filter((d) => d.message === FLOW_ERROR);
    assert.deepEqual(flow.map((d) => [d.source, codeOf(d), pos(d.range)]), [['paved', 'yaml/BAD_INDENT', [6, 2, 6, 3]]]);
  });

  it('a closed broken manifest linted by "Lint All Manifests" keeps its syntax error (the YAML extension checks open files only)', async () => {
    const file = path.join(ROOT(), 'closed', 'paved.yaml');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, BROKEN);
    const uri = vscode.Uri.file(file);
    const linted = nextEvent(paved.manifests.onDidLint, (e) => e.uri.toString() === uri.toString() && e.version === undefined, 60_000, 'workspace lint');
    await vscode.commands.executeCommand(Commands.lintManifests);
    await linted;
    const flow = vscode.languages.getDiagnostics(uri).filter((d) => d.message === FLOW_ERROR);
    assert.deepEqual(flow.map((d) => [d.source, codeOf(d)]), [['paved', 'yaml/BAD_INDENT']]);
  });
});
