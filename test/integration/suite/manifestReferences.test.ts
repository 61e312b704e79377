/**
 * Reference completion from the catalog of the real local platform (fixture workspace "basic": services checkout-web,
 * ledger, legacy-reports, payments-api, search; teams team-data, team-discovery, team-payments, team-web). Expected
 * names are read from the platform itself, so services other tests registered are accounted for.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PavedApi } from '../../../src/extension/main';
import type { PlatformBackend } from '../../../src/platform/backend';
import { MINIMAL } from '../../unit/core/manifest/helpers';
import { reportMetric } from './helpers';
import { api, openLinted } from './selfServiceHelpers';

const workspace = () => process.env.PAVED_TEST_WORKSPACE ?? vscode.workspace.workspaceFolders![0].uri.fsPath;
const ROOT = () => path.join(workspace(), 'manifest-refs-it');
const labelOf = (i: vscode.CompletionItem) => (typeof i.label === 'string' ? i.label : i.label.label);
const pos = (r: vscode.Range) => [r.start.line, r.start.character, r.end.line, r.end.character];
const FIXTURE_SERVICES = ['checkout-web', 'ledger', 'legacy-reports', 'payments-api', 'search'];
const FIXTURE_TEAMS = ['team-data', 'team-discovery', 'team-payments', 'team-web'];
/** The order completion shows names in: those starting with the typed text first, then the others; each alphabetically. */
const ordered = (names: string[], typed: string) => {
  const unique = [...new Set(names)].sort();
  const bare = (n: string) => n.replace(/^(service|resource):/, '');
  return [...unique.filter((n) => bare(n).startsWith(typed)), ...unique.filter((n) => !bare(n).startsWith(typed))];
};

describe('Manifest reference completion from the platform catalog', function () {
  this.timeout(120_000);
  let paved: PavedApi;
  let backend: PlatformBackend;

  const open = (name: string, text: string) => openLinted(paved, ROOT(), name, text);

  async function complete(doc: vscode.TextDocument, at: vscode.Position): Promise<{ list: vscode.CompletionList; refs: vscode.CompletionItem[]; ms: number }> {
    const t = performance.now();
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, at);
    const ms = performance.now() - t;
    const refs = list.items.filter((i) => i.kind === vscode.CompletionItemKind.Reference).sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? ''));
    return { list, refs, ms };
  }

  /** Completes twice: the first may be late (it fills the cache), the second is served from the cache. */
  async function completeWarm(doc: vscode.TextDocument, at: vscode.Position, metric: string) {
    const refsApi = paved.manifests.references!;
    const cold = await complete(doc, at);
    await refsApi.settled();
    const requests = refsApi.requests;
    const warm = await complete(doc, at);
    assert.equal(refsApi.requests, requests, 'the second completion is served from the cache (no request)');
    reportMetric(`${metric} completion, first (fetch)`, Math.round(cold.ms), 'ms');
    reportMetric(`${metric} completion, cached`, Math.round(warm.ms), 'ms');
    return warm;
  }

  before(async () => {
    paved = await api();
    assert.ok(paved.manifests.references, 'the linter has a catalog reference source');
    backend = await paved.platform.current();
    fs.rmSync(ROOT(), { recursive: true, force: true });
  });
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
  after(() => {
    fs.rmSync(ROOT(), { recursive: true, force: true });
  });

  it('offers service:<name> for every catalog service in a dependsOn item', async () => {
    const doc = await open('depends-on', `${MINIMAL}  dependsOn:\n    - \n`);
    const line = doc.lineCount - 2;
    assert.equal(doc.lineAt(line).text, '    - ');
    const { refs, list } = await completeWarm(doc, new vscode.Position(line, 6), 'dependsOn');
    const catalog = (await backend.listServices({ limit: 100 })).items.map((s) => `service:${s.name}`);
    assert.deepEqual(refs.map(labelOf), ordered(catalog, ''));
    for (const name of FIXTURE_SERVICES) assert.ok(refs.some((i) => labelOf(i) === `service:${name}`), `service:${name} offered`);
    assert.deepEqual([...new Set(refs.map((i) => i.detail))], ['service']);
    assert.equal(list.isIncomplete, false, 'the whole (small) catalog fits: nothing capped');
    assert.equal(refs[0].insertText, refs[0].label);
  });

  it('asks the platform with the typed prefix and offers only names containing it, replacing the prefix', async () => {
    const doc = await open('depends-on-prefix', `${MINIMAL}  dependsOn:\n    - led\n`);
    const line = doc.lineCount - 2;
    const { refs } = await completeWarm(doc, new vscode.Position(line, 9), 'dependsOn "led"');
    const matching = (await backend.listServices({ text: 'led', limit: 100 })).items.filter((s) => s.name.includes('led')).map((s) => `service:${s.name}`);
    assert.deepEqual(refs.map(labelOf), ordered(matching, 'led'));
    assert.ok(refs.some((i) => labelOf(i) === 'service:ledger'));
    const r = refs[0].range;
    assert.ok(r instanceof vscode.Range);
    assert.deepEqual(pos(r), [line, 6, line, 9]);
  });

  it('offers the platform teams for metadata.owner', async () => {
    const doc = await open('owner', MINIMAL.replace('  owner: team-payments', '  owner: team-'));
    assert.equal(doc.lineAt(4).text, '  owner: team-');
    const { refs } = await completeWarm(doc, new vscode.Position(4, 14), 'owner');
    const teams = (await backend.listTeams({ limit: 500 })).items.map((t) => t.name).filter((n) => n.toLowerCase().includes('team-'));
    assert.deepEqual(refs.map(labelOf), ordered(teams, 'team-'));
    for (const t of FIXTURE_TEAMS) assert.ok(refs.some((i) => labelOf(i) === t), `${t} offered`);
    assert.deepEqual([...new Set(refs.map((i) => i.detail))], ['team']);
    assert.deepEqual(pos(refs[0].range as vscode.Range), [4, 9, 4, 14]);
  });

  it('asks nothing of the platform where no reference fits (a key position)', async () => {
    const doc = await open('keys', MINIMAL.replace('  run:\n', '  \n  run:\n'));
    await paved.manifests.references!.settled();
    const requests = paved.manifests.references!.requests;
    const { list, refs } = await complete(doc, new vscode.Position(7, 2));
    assert.ok(list.items.some((i) => labelOf(i) === 'health'));
    assert.deepEqual(refs, []);
    assert.equal(paved.manifests.references!.requests, requests);
  });
});
