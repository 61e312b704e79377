/**
 * Manifest linting in the editor: the core engine (src/core/manifest) behind diagnostics, quick fixes, completion and
 * hover for paved.yaml, catalog-info.yaml and score.yaml. This file only adapts offsets to VS Code positions.
 *
 *  - As you type: debounced per document; a result for a document version that is no longer current is dropped.
 *  - On open, and for the whole workspace at start and on "Paved: Lint All Manifests" (files on disk, not opened).
 *    The lint at start (and after a settings or policy change) runs in the background within a budget
 *    (BACKGROUND_LINT_LIMITS: a small per-file size, a total size and time): what it skips is named in the log and
 *    the status bar tooltip, and linted in full when opened, saved or linted with the command.
 *  - Files above 1 MB: linted on save only (the as-you-type diagnostic says so).
 *  - With the Red Hat YAML extension installed and validating (`yaml.validate` for that document), Paved drops the
 *    findings that extension reports too — the `yaml` library's syntax errors and warnings and duplicate keys — for
 *    open YAML documents (the only ones it validates). Paved's own YAML findings (nesting depth, alias bombs, complex
 *    keys, binary files), schema, policy and secret findings stay: Paved registers no schema with that extension.
 *    Installing, enabling or removing it, or changing `yaml.validate`, re-lints the open manifests.
 *  - Policies: the platform's set merged with the repository's `.paved/policies.yaml` (see policySets.ts); re-lints
 *    when it changes.
 *  - Reference completion (owners, services, resources) from the catalog of the connected platform (catalogReferences.ts).
 *  - Claims (spec.claims, score.yaml resources) against the platform's resource types (resourceTypes.ts); re-lints when they change.
 *  - A status bar item shows how many manifests were checked and their errors/warnings.
 */
import * as vscode from 'vscode';
import type { Finding, Fix, ReferenceProvider } from '../../core/manifest/index';
import type { BackendSource, ReferenceKind } from './catalogReferences';
import { CatalogReferences } from './catalogReferences';
import { CatalogNamesCache } from './catalogNames';
import type { PlatformBackend } from '../../platform/backend';
import { platformGatePolicies, type GatePolicies } from '../../platform/selfService';
import { apiListAt, namesFor, reportedByRedHatYaml } from './manifestData';
import { PolicySets } from './policySets';
import { ResourceTypes } from './resourceTypes';
import { BACKGROUND_LINT_LIMITS, completionsAt, DEFAULT_MAX_SIZE, hoverAt, LintBudget, type LintBudgetLimits, kindFromFileName, lint, MANIFEST_API_VERSION_LINE, MANIFEST_GLOB, SKIPPED_FOLDERS_GLOB } from '../../core/manifest/index';
import type { CommandRunner } from '../commands';
import { Commands, Settings } from '../ids';
import { Component } from '../lifecycle';
import type { Logger } from '../log';
import { walkthroughStep } from '../walkthrough';

export const DIAGNOSTIC_SOURCE = 'paved';
const DEBOUNCE_MS = 250;
const SAVE_MAX_SIZE = 16_000_000;
export const RED_HAT_YAML = 'redhat.vscode-yaml';

const SEVERITY: Record<Finding['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

/** A diagnostic that carries the engine's fixes, for the code action provider. */
class PavedDiagnostic extends vscode.Diagnostic {
  constructor(
    range: vscode.Range,
    readonly finding: Finding,
  ) {
    super(range, finding.message, SEVERITY[finding.severity]);
    this.source = DIAGNOSTIC_SOURCE;
    this.code = finding.docsUrl ? { value: finding.ruleId, target: vscode.Uri.parse(finding.docsUrl) } : finding.ruleId;
  }
}

export interface ManifestLinterOptions {
  commands: CommandRunner;
  log: Logger;
  /** Fixed names for reference completion (used when there is no `platform`). */
  references?: ReferenceProvider;
  /**
   * The platform connection: reference completion from its catalog and its policy set. Without it: the fixed
   * `references` and Paved's default set (plus the repository's `.paved/policies.yaml`).
   */
  platform?: BackendSource;
  /** Fires when the catalog is refreshed: the names references are checked against are fetched again. */
  onDidRefreshCatalog?: vscode.Event<void>;
}

/** What a document is to Paved: a manifest by name or by apiVersion. */
export function isManifest(doc: vscode.TextDocument): boolean {
  if (doc.languageId !== 'yaml' && !/\.ya?ml$/i.test(doc.fileName)) return false;
  if (kindFromFileName(doc.fileName) !== 'unknown') return true;
  return MANIFEST_API_VERSION_LINE.test(doc.getText(new vscode.Range(0, 0, Math.min(doc.lineCount, 50), 0)));
}

export class ManifestLinter extends Component implements vscode.CodeActionProvider, vscode.CompletionItemProvider, vscode.HoverProvider {
  readonly diagnostics = this.register(vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE));
  /** The status item (text/tooltip read by the integration tests). */
  readonly status = this.register(vscode.window.createStatusBarItem('paved.manifests', vscode.StatusBarAlignment.Left, 10));
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** What the last background lint skipped (for the status tooltip and the tests), undefined when nothing. */
  skippedNote: string | undefined;
  private readonly changed = this.register(new vscode.EventEmitter<{ uri: vscode.Uri; version: number | undefined; findings: readonly Finding[] }>());
  /** Fires after each lint whose result was applied, and with no findings when `paved.lint.enable` cleared a file's. */
  readonly onDidLint = this.changed.event;

  /** Catalog names for completion (absent without a platform). */
  readonly references: CatalogReferences | undefined;
  /** The policy set per document: the platform's merged with the repository's. */
  readonly policies: PolicySets;
  /** The catalog's names, for the reference rules (absent without a platform). */
  readonly catalogNames: CatalogNamesCache | undefined;
  /** The resource types claims are checked against: the platform's, else the built-ins. */
  readonly resourceTypes: ResourceTypes;

  constructor(private readonly opts: ManifestLinterOptions) {
    super();
    this.references = opts.platform ? this.register(new CatalogReferences(opts.platform, opts.log.child('references'))) : undefined;
    this.policies = this.register(new PolicySets(opts.platform, opts.log.child('policies')));
    this.catalogNames = opts.platform ? this.register(new CatalogNamesCache(opts.platform, opts.log.child('catalog-names'), opts.onDidRefreshCatalog)) : undefined;
    this.resourceTypes = this.register(new ResourceTypes(opts.platform, opts.log.child('resource-types')));
    const selector: vscode.DocumentSelector = [{ language: 'yaml' }];
    this.status.name = 'Paved manifests';
    this.status.command = 'workbench.actions.view.problems';
    this.register(vscode.languages.registerCodeActionsProvider(selector, this, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }));
    this.register(vscode.languages.registerCompletionItemProvider(selector, this, ':', ' ', '-', '.', '{'));
    this.register(vscode.languages.registerHoverProvider(selector, this));
    this.register(vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)));
    this.register(vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, DEBOUNCE_MS)));
    this.register(vscode.workspace.onDidSaveTextDocument((d) => this.lintDocument(d, true)));
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(`${Settings.section}.${Settings.lintEnable}`)) return;
        // Open manifests too: lintWorkspace() reads only the files that are not open.
        for (const d of vscode.workspace.textDocuments) this.lintDocument(d, false);
        void this.lintWorkspace({ background: true });
      }),
    );
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('yaml.validate')) this.relintOpen();
      }),
    );
    // The Red Hat YAML extension installed, enabled or removed: who reports YAML syntax errors changed.
    this.register(vscode.extensions.onDidChange(() => this.relintOpen()));
    for (const changed of [this.policies.onDidChange, this.resourceTypes.onDidChange, ...(this.catalogNames ? [this.catalogNames.onDidChange] : [])]) {
      this.register(
        changed(() => {
          this.relintOpen();
          void this.lintWorkspace({ background: true });
        }),
      );
    }
    this.register(opts.commands.register(Commands.lintManifests, () => this.lintWorkspace()));
    this.register(
      opts.commands.register(Commands.quickFixApplied, (ruleId?: unknown, title?: unknown) => {
        opts.log.info(`quick fix applied: ${String(title)} (${String(ruleId)})`);
        walkthroughStep('quickFixApplied');
      }),
    );
    this.register({ dispose: () => this.timers.forEach((t) => clearTimeout(t)) });
    this.afterActivation(() => {
      for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
      void this.lintWorkspace({ background: true });
    });
  }

  /**
   * The set and catalog names the deploy gate checks a manifest file with: what this linter uses for it, when the
   * deployment goes to the connected platform; the deploying platform's own otherwise (a Backstage entity's Paved).
   */
  async gatePolicies(backend: PlatformBackend, file: string | undefined): Promise<GatePolicies> {
    const connected = this.opts.platform ? await this.opts.platform.current().catch(() => undefined) : undefined;
    if (!file || backend !== connected) return platformGatePolicies(backend, file, (l) => this.opts.log.info(l));
    await this.policies.whenLoaded();
    await this.catalogNames?.whenLoaded();
    return { set: this.policies.forDocument(vscode.Uri.file(file)), context: this.catalogNames?.lintContext() ?? {} };
  }

  /** The platform refused what the gate let through: fetch its policy set and catalog names again. */
  reloadPlatformData(): void {
    void this.policies.refresh();
    this.catalogNames?.reload();
  }

  private relintOpen(): void {
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  private policiesFor(uri: vscode.Uri) {
    return this.policies.forDocument(uri);
  }

  private enabled(uri: vscode.Uri): boolean {
    return vscode.workspace.getConfiguration(Settings.section, uri).get<boolean>(Settings.lintEnable, true);
  }

  private schedule(doc: vscode.TextDocument, delay: number): void {
    if (!isManifest(doc)) return;
    const key = doc.uri.toString();
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.lintDocument(doc, false);
      }, delay),
    );
  }

  /** Lints an open document; `onSave` lifts the as-you-type size limit. */
  lintDocument(doc: vscode.TextDocument, onSave: boolean): void {
    if (doc.isClosed || !isManifest(doc)) return;
    if (!this.enabled(doc.uri)) {
      this.clear(doc.uri, doc.version);
      return;
    }
    const version = doc.version;
    const text = doc.getText();
    let findings = this.run(text, doc.uri, doc.fileName, onSave ? SAVE_MAX_SIZE : DEFAULT_MAX_SIZE);
    if (this.redHatYamlValidates(doc)) findings = findings.filter((f) => !reportedByRedHatYaml(f));
    // A newer edit arrived while linting: its own lint will report; never show results for an old version.
    if (doc.isClosed || doc.version !== version) return;
    this.diagnostics.set(doc.uri, findings.map((f) => new PavedDiagnostic(new vscode.Range(doc.positionAt(f.offset), doc.positionAt(f.offset + f.length)), f)));
    this.changed.fire({ uri: doc.uri, version, findings });
    this.updateStatus();
  }

  private clear(uri: vscode.Uri, version: number | undefined): void {
    if (!this.diagnostics.has(uri)) return;
    this.diagnostics.delete(uri);
    this.changed.fire({ uri, version, findings: [] });
    this.updateStatus();
  }

  private run(text: string, uri: vscode.Uri, fileName: string, maxSize: number): Finding[] {
    const onSave = maxSize > DEFAULT_MAX_SIZE;
    return lint(text, fileName, { policies: this.policiesFor(uri), context: this.catalogNames?.lintContext() ?? {}, resourceTypes: this.resourceTypes.catalog(), maxSize, ...(onSave ? { maxFullParseSize: maxSize } : {}) }).findings;
  }

  /**
   * Whether the Red Hat YAML extension reports this open document's YAML errors itself: it is installed and enabled
   * (it activates on any YAML document, so "not active yet" still means "will report"), the document is of its
   * language, and `yaml.validate` is on for it.
   */
  redHatYamlValidates(doc: vscode.TextDocument): boolean {
    if (doc.languageId !== 'yaml' || vscode.extensions.getExtension(RED_HAT_YAML) === undefined) return false;
    return vscode.workspace.getConfiguration('yaml', { uri: doc.uri, languageId: doc.languageId }).get<boolean>('validate', true);
  }

  /**
   * Lints every manifest of the workspace (from disk, except those open in an editor). `background`: within the
   * budget (`limits`), yielding between files, and saying what was skipped; otherwise every file in full.
   */
  async lintWorkspace(opts: { background?: boolean; limits?: LintBudgetLimits } = {}): Promise<number> {
    const uris = await vscode.workspace.findFiles(MANIFEST_GLOB, SKIPPED_FOLDERS_GLOB, 2000);
    const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
    const decoder = new TextDecoder('utf-8');
    const budget = opts.background ? new LintBudget(opts.limits ?? BACKGROUND_LINT_LIMITS, () => performance.now()) : undefined;
    let count = 0;
    for (const uri of uris) {
      if (open.has(uri.toString())) continue;
      if (!this.enabled(uri)) {
        this.clear(uri, undefined);
        continue;
      }
      let text: string;
      try {
        if (budget) {
          if (!budget.admit(vscode.workspace.asRelativePath(uri), (await vscode.workspace.fs.stat(uri)).size)) continue;
          await new Promise((resolve) => setImmediate(resolve));
        }
        text = decoder.decode(await vscode.workspace.fs.readFile(uri));
      } catch (err) {
        this.opts.log.warn(`cannot read ${uri.toString()}: ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      // Closed files: the Red Hat YAML extension validates open documents only, so every finding stays.
      const findings = this.run(text, uri, uri.path, SAVE_MAX_SIZE);
      const lines = text.split('\n');
      const starts: number[] = [];
      let o = 0;
      for (const l of lines) {
        starts.push(o);
        o += l.length + 1;
      }
      const pos = (offset: number) => {
        let lo = 0;
        let hi = starts.length - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (starts[mid] <= offset) lo = mid;
          else hi = mid - 1;
        }
        return new vscode.Position(lo, offset - starts[lo]);
      };
      this.diagnostics.set(uri, findings.map((f) => new PavedDiagnostic(new vscode.Range(pos(f.offset), pos(f.offset + f.length)), f)));
      this.changed.fire({ uri, version: undefined, findings });
      count++;
    }
    this.skippedNote = budget?.describe();
    this.updateStatus();
    this.opts.log.info(`linted ${count} manifests of the workspace${budget ? ' in the background' : ''}`);
    if (this.skippedNote) this.opts.log.warn(this.skippedNote);
    return count;
  }

  private updateStatus(): void {
    let files = 0;
    let errors = 0;
    let warnings = 0;
    this.diagnostics.forEach((_uri, diags) => {
      files++;
      for (const d of diags) {
        if (d.severity === vscode.DiagnosticSeverity.Error) errors++;
        else if (d.severity === vscode.DiagnosticSeverity.Warning) warnings++;
      }
    });
    if (files === 0 && !this.skippedNote) {
      this.status.hide();
      return;
    }
    this.status.text = `$(${errors > 0 ? 'error' : warnings > 0 ? 'warning' : 'check'}) Paved ${files}${this.skippedNote ? ' $(watch)' : ''}`;
    this.status.tooltip = `Paved checked ${files} manifest${files === 1 ? '' : 's'}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}. Click for the Problems view.\n${this.skippedNote ? `${this.skippedNote}\n` : ''}${this.policies.describe()}`;
    this.status.show();
  }

  // ---- quick fixes ---------------------------------------------------------------------------------------------

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const out: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      if (!(d instanceof PavedDiagnostic)) continue;
      for (const fix of d.finding.fixes ?? []) out.push(this.action(doc, d, fix));
    }
    return out;
  }

  private action(doc: vscode.TextDocument, d: PavedDiagnostic, fix: Fix): vscode.CodeAction {
    const a = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
    a.diagnostics = [d];
    a.isPreferred = fix.isPreferred ?? false;
    const edit = new vscode.WorkspaceEdit();
    for (const e of fix.edits) edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.newText);
    a.edit = edit;
    // VS Code runs it after applying the edit: the walkthrough's "fix one with a quick fix" step.
    a.command = { command: Commands.quickFixApplied, title: fix.title, arguments: [d.finding.ruleId, fix.title] };
    return a;
  }

  // ---- completion and hover -------------------------------------------------------------------------------------

  async provideCompletionItems(doc: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.CompletionList | vscode.CompletionItem[]> {
    if (!isManifest(doc)) return [];
    const text = doc.getText();
    const version = doc.version;
    const offset = doc.offsetAt(position);
    const catalog = this.references;
    const types = this.resourceTypes.catalog();
    if (!catalog) return this.items(doc, completionsAt(text, offset, doc.fileName, this.opts.references, types));
    // First without the catalog, noting which names the place asks for; the platform is asked only then.
    const asked = new Set<ReferenceKind>();
    const probe: ReferenceProvider = {
      owners: () => (asked.add('owners'), []),
      systems: () => (asked.add('systems'), []),
      services: () => (asked.add('services'), []),
      resources: () => (asked.add('resources'), []),
    };
    const plain = completionsAt(text, offset, doc.fileName, probe, types);
    // A catalog-info.yaml on a platform with the entity tools (validateEntity: Backstage): those complete its refs.
    if (asked.size > 0 && kindFromFileName(doc.fileName) === 'backstage' && (await this.connectedHasEntityTools())) return this.items(doc, plain);
    if (asked.size === 0) {
      // providesApis / consumesApis: API names, where the catalog lists APIs (Backstage).
      const apiList = apiListAt(text, offset);
      if (!apiList) return this.items(doc, plain);
      const found = await catalog.lookup(new Set(['apis']), apiList.typed, token);
      if (token.isCancellationRequested || doc.version !== version) return [];
      const range = new vscode.Range(doc.positionAt(offset - apiList.typed.length), position);
      const apis = found.apis.map((name, i) => {
        const item = new vscode.CompletionItem(name, vscode.CompletionItemKind.Reference);
        item.detail = 'API';
        item.range = range;
        item.sortText = String(i).padStart(4, '0');
        return item;
      });
      return new vscode.CompletionList([...this.items(doc, plain), ...apis], found.incomplete);
    }
    const lineBefore = text.slice(text.lastIndexOf('\n', offset - 1) + 1, offset);
    const prefix = /[^\s:[\]{},'"]*$/.exec(lineBefore)![0];
    // The cached catalog names answer without a request when they hold every kind asked for.
    const held = this.catalogNames?.current;
    const fromCache = held && namesFor(held, asked, prefix);
    if (fromCache) return this.items(doc, completionsAt(text, offset, doc.fileName, fromCache));
    const found = await catalog.lookup(asked, prefix, token);
    // The user typed on: this list was for an older text (VS Code asks again).
    if (token.isCancellationRequested || doc.version !== version) return [];
    return new vscode.CompletionList(this.items(doc, completionsAt(text, offset, doc.fileName, found.refs, types)), found.incomplete);
  }

  /**
   * Whether the connected platform checks and completes catalog entities itself (`capabilities.validateEntity`, as the
   * Backstage tools ask); false without one (untrusted, unreachable: logged by the connection).
   */
  private async connectedHasEntityTools(): Promise<boolean> {
    if (!this.opts.platform || !vscode.workspace.isTrusted) return false;
    try {
      return (await this.opts.platform.current()).capabilities.validateEntity;
    } catch (err) {
      this.opts.log.debug(`no platform for completion: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
  }

  private items(doc: vscode.TextDocument, list: ReturnType<typeof completionsAt>): vscode.CompletionItem[] {
    return list.map((c, i) => {
      const item = new vscode.CompletionItem(
        c.label,
        c.kind === 'key' ? vscode.CompletionItemKind.Property : c.kind === 'reference' ? vscode.CompletionItemKind.Reference : vscode.CompletionItemKind.EnumMember,
      );
      item.insertText = c.isSnippet ? new vscode.SnippetString(c.insertText) : c.insertText;
      item.range = new vscode.Range(doc.positionAt(c.replace.offset), doc.positionAt(c.replace.offset + c.replace.length));
      // The engine's order (required keys first, enum values in schema order) rather than VS Code's alphabetical one.
      item.sortText = String(i).padStart(4, '0');
      if (c.detail) item.detail = c.detail;
      if (c.documentation) item.documentation = new vscode.MarkdownString(c.documentation);
      return item;
    });
  }

  provideHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    if (!isManifest(doc)) return undefined;
    const h = hoverAt(doc.getText(), doc.offsetAt(position), doc.fileName, this.policiesFor(doc.uri), this.resourceTypes.catalog());
    if (!h) return undefined;
    return new vscode.Hover(new vscode.MarkdownString(h.markdown), new vscode.Range(doc.positionAt(h.offset), doc.positionAt(h.offset + h.length)));
  }
}
