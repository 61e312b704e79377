/**
 * The platform's policy set in the editor, against the real local platform: `paved serve` serves
 * `<state-dir>/policies.yaml` when it exists (else the default set). The linter merges it with the workspace's
 * `.paved/policies.yaml`, re-lints when it changes, and falls back to the shipped default set when the platform
 * cannot serve one. Every wait is on an event the extension exposes.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { defaultPolicySetText } from '../../../src/core/policy/index';
import type { PavedApi } from '../../../src/extension/main';
import { DESCRIPTION_RULE, DESCRIPTION_RULE_MESSAGE, MINIMAL } from '../../unit/core/manifest/helpers';
import { api, nextEvent, openLinted } from './selfServiceHelpers';

const workspace = () => process.env.PAVED_TEST_WORKSPACE ?? vscode.workspace.workspaceFolders![0].uri.fsPath;
const ROOT = () => path.join(workspace(), 'manifest-policies-it');
const REPO_FILE = () => path.join(workspace(), '.paved', 'policies.yaml');
const pos = (r: vscode.Range) => [r.start.line, r.start.character, r.end.line, r.end.character];
const codeOf = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? d.code.value : d.code);

const DESCRIPTION_MESSAGE = DESCRIPTION_RULE_MESSAGE;
const PLATFORM_SET = `${defaultPolicySetText().replace('name: paved-default', 'name: acme-platform')}${DESCRIPTION_RULE}`;
const REPO_SET = `apiVersion: paved.dev/v1
kind: PolicySet
rules:
  - { id: service-description, enabled: false }
  - id: repo-tags
    severity: info
    condition: { properties: { metadata: { required: [tags] } } }
    path: /metadata/tags
    message: This repository tags its services (metadata.tags).
`;

describe('Platform policy set in the editor', function () {
  this.timeout(180_000);
  let paved: PavedApi;
  let platformFile: string;

  const open = (name: string, text: string) => openLinted(paved, ROOT(), name, text);
  const diags = (doc: vscode.TextDocument) =>
    (paved.manifests.diagnostics.get(doc.uri) ?? []).map((d) => [d.source, codeOf(d), d.severity, d.message, pos(d.range)]).sort((a, b) => String(a[1]).localeCompare(String(b[1])));
  const tooltip = () => {
    const t = paved.manifests.status.tooltip;
    return typeof t === 'string' ? t : (t?.value ?? '');
  };
  const policyChange = (what: string, settled: () => boolean = () => true) => nextEvent(paved.manifests.policies.onDidChange, settled, 90_000, what);
  // A write reports create and change, so more than one change event can follow it: wait for the state, not the first event.
  const usesRepoSet = () => paved.manifests.policies.describe().includes(' + .paved/policies.yaml');

  before(async () => {
    paved = await api();
    await paved.platform.current();
    platformFile = path.join(paved.platform.localStateDir, 'policies.yaml');
    fs.rmSync(ROOT(), { recursive: true, force: true });
  });
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
  after(async () => {
    fs.rmSync(platformFile, { force: true });
    fs.rmSync(path.dirname(REPO_FILE()), { recursive: true, force: true });
    fs.rmSync(ROOT(), { recursive: true, force: true });
    await paved.manifests.policies.refresh();
    assert.equal(paved.manifests.policies.origin, 'platform');
  });

  it('lints with the platform set: a manifest violating only the platform rule gets its diagnostic', async () => {
    fs.writeFileSync(platformFile, PLATFORM_SET);
    const changed = policyChange('the platform set to apply');
    await paved.manifests.policies.refresh();
    await changed;
    assert.equal(paved.manifests.policies.origin, 'platform');
    assert.equal(paved.manifests.policies.platformSet.name, 'acme-platform');
    const doc = await open('platform-rule', MINIMAL);
    assert.deepEqual(diags(doc), [['paved', 'service-description', vscode.DiagnosticSeverity.Warning, DESCRIPTION_MESSAGE, [2, 0, 2, 8]]]);
    assert.match(tooltip(), /\nPolicies: the platform's policy set "acme-platform"\.$/);
    // The same manifest with a description is clean.
    const described = await open('platform-rule-ok', MINIMAL.replace('  owner: team-payments', '  description: Takes payments.\n  owner: team-payments'));
    assert.deepEqual(diags(described), []);
  });

  it("the repository's .paved/policies.yaml adds rules but cannot switch off the platform's mandatory one", async () => {
    const changed = policyChange('the repository set to apply', usesRepoSet);
    fs.mkdirSync(path.dirname(REPO_FILE()), { recursive: true });
    fs.writeFileSync(REPO_FILE(), REPO_SET);
    await changed;
    const doc = await open('repo-rule', MINIMAL);
    assert.deepEqual(diags(doc), [
      ['paved', 'repo-tags', vscode.DiagnosticSeverity.Information, 'This repository tags its services (metadata.tags).', [2, 0, 2, 8]],
      ['paved', 'service-description', vscode.DiagnosticSeverity.Warning, DESCRIPTION_MESSAGE, [2, 0, 2, 8]],
    ]);
    assert.match(tooltip(), /\nPolicies: the platform's policy set "acme-platform" \+ \.paved\/policies\.yaml\.$/);
    // Deleting the folder (not just the file) is noticed too.
    const removed = policyChange('the repository set to go', () => !usesRepoSet());
    fs.rmSync(path.dirname(REPO_FILE()), { recursive: true, force: true });
    await removed;
    const again = await open('repo-rule-gone', MINIMAL);
    assert.deepEqual(diags(again), [['paved', 'service-description', vscode.DiagnosticSeverity.Warning, DESCRIPTION_MESSAGE, [2, 0, 2, 8]]]);
  });

  it('falls back to the shipped default set when the platform cannot serve its set, and says so in the status', async () => {
    fs.writeFileSync(platformFile, 'apiVersion: paved.dev/v1\nkind: PolicySet\nrules:\n  - { id: Not A Valid Id }\n');
    const changed = policyChange('the fallback to apply');
    await paved.manifests.policies.refresh();
    await changed;
    assert.equal(paved.manifests.policies.origin, 'fallback');
    const doc = await open('fallback', MINIMAL);
    assert.deepEqual(diags(doc), [], 'the default set has no description rule');
    assert.match(tooltip(), /\nPolicies: Paved's default policy set \(.+ did not serve its policy set: .*the platform policy set is invalid: .*rules\.0\.id must match pattern.*\)\.$/s);
  });
});
