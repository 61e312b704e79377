import * as vscode from 'vscode';
import { PavedError } from '../../core/errors';
import type { EntityValidationError, PlatformBackend, PlatformKind } from '../../platform/backend';
import { BackstageBackend } from '../../platform/backstage';
import { capabilitiesOf } from '../../platform/capabilities';
import { abortSignalFrom } from '../../platform/transport';
import { Component } from '../lifecycle';
import type { Logger } from '../log';
import type { PlatformConnection } from '../platform/connection';
import { entitiesIn, pointerRange, refFieldAt } from './entityText';
import { manifestGlob } from '../../core/manifest/kinds';

/** Diagnostics of the Backstage server check (separate from the local lint's collection). */
export const DIAGNOSTIC_COLLECTION = 'paved-backstage';
export const DIAGNOSTIC_SOURCE = 'Backstage';

/** Files Paved checks against the catalog and completes refs in. */
export const CATALOG_INFO_SELECTOR: vscode.DocumentSelector = [{ pattern: manifestGlob(['backstage']) }];

export function isCatalogInfo(uri: vscode.Uri): boolean {
  return /(^|\/)catalog-info\.ya?ml$/i.test(uri.path);
}

/** Spec fields whose refs are checked against the live catalog on save. */
const CHECKED_REF_POINTER = /^\/spec\/(owner|system|dependsOn)(\/|$)/;

/** One finished (or skipped) server check of a file; tests wait on it. */
export interface BackstageCheckEvent {
  uri: string;
  /** The document version that was checked. */
  version: number;
  /** `checked`: diagnostics set from the server's answer; `skipped`: no request sent (why in `reason`); `failed`: the request failed. */
  outcome: 'checked' | 'skipped' | 'failed';
  reason?: string;
  diagnostics: readonly vscode.Diagnostic[];
}

/**
 * catalog-info.yaml against a connected Backstage: on save (debounced) the entity goes to `POST
 * /api/catalog/validate-entity` and its `spec.owner`, `spec.system`, `spec.dependsOn` refs are checked in one `by-refs`
 * call; the problems become diagnostics at the ranges of their JSON pointers, in the `paved-backstage` collection.
 * Refs in those fields are completed from the live catalog. Nothing is sent unless the workspace is trusted and
 * `paved.platform.kind` is `backstage`.
 */
export class CatalogInfoChecks extends Component {
  readonly diagnostics = this.register(vscode.languages.createDiagnosticCollection(DIAGNOSTIC_COLLECTION));
  private readonly checked = this.register(new vscode.EventEmitter<BackstageCheckEvent>());
  /** Fires after every check of a saved file (including skipped and failed ones). */
  readonly onDidCheck = this.checked.event;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly connection: PlatformConnection,
    private readonly log: Logger,
    private readonly debounceMs = 300,
  ) {
    super();
    this.register(vscode.workspace.onDidSaveTextDocument((doc) => isCatalogInfo(doc.uri) && this.schedule(doc)));
    this.register(
      vscode.workspace.onDidCloseTextDocument((doc) => {
        const key = doc.uri.toString();
        this.cancel(key);
        this.diagnostics.delete(doc.uri);
      }),
    );
    this.register(
      connection.onDidChange(() => {
        // Another platform (or none): what the old one said no longer applies.
        for (const key of [...this.running.keys(), ...this.timers.keys()]) this.cancel(key);
        this.diagnostics.clear();
      }),
    );
    this.register(vscode.languages.registerCompletionItemProvider(CATALOG_INFO_SELECTOR, { provideCompletionItems: (d, p, t) => this.complete(d, p, t) }, ':', ' ', '-'));
    this.register({ dispose: () => [...this.timers.keys(), ...this.running.keys()].forEach((k) => this.cancel(k)) });
  }

  /** Checks a document now (what a save does after the debounce). */
  async check(doc: vscode.TextDocument): Promise<BackstageCheckEvent> {
    const key = doc.uri.toString();
    this.cancel(key);
    const abort = new AbortController();
    this.running.set(key, abort);
    const version = doc.version;
    const done = (outcome: BackstageCheckEvent['outcome'], diagnostics: vscode.Diagnostic[], reason?: string): BackstageCheckEvent => {
      const event: BackstageCheckEvent = { uri: key, version, outcome, diagnostics, ...(reason ? { reason } : {}) };
      if (this.running.get(key) === abort) {
        this.running.delete(key);
        if (doc.isClosed) this.diagnostics.delete(doc.uri);
        else this.diagnostics.set(doc.uri, diagnostics);
        this.checked.fire(event);
      }
      return event;
    };
    const backend = await this.backstage();
    if (typeof backend === 'string') return done('skipped', [], backend);
    const { entities, syntaxErrors } = entitiesIn(doc.getText());
    if (syntaxErrors) return done('skipped', [], 'the YAML has syntax errors (see the Paved lint)');
    if (entities.length === 0) return done('skipped', [], 'no Backstage entity in the file');
    const location = doc.uri.scheme === 'file' ? doc.uri.fsPath : doc.uri.toString();
    try {
      const out: vscode.Diagnostic[] = [];
      for (const e of entities) {
        const [server, refs] = await Promise.all([
          backend.validateEntity(e.entity, location, { signal: abort.signal }),
          backend.checkRefs(e.entity, { signal: abort.signal }),
        ]);
        const add = (problems: EntityValidationError[], severity: vscode.DiagnosticSeverity, code: string) => {
          for (const p of problems) {
            const r = pointerRange(e.root, p.pointer);
            const d = new vscode.Diagnostic(new vscode.Range(doc.positionAt(r.offset), doc.positionAt(r.offset + r.length)), p.message, severity);
            d.source = DIAGNOSTIC_SOURCE;
            d.code = code;
            out.push(d);
          }
        };
        add(server, vscode.DiagnosticSeverity.Error, 'validate-entity');
        add(
          refs.filter((r) => r.pointer !== undefined && CHECKED_REF_POINTER.test(r.pointer)),
          vscode.DiagnosticSeverity.Warning,
          'catalog-ref',
        );
      }
      if (doc.version !== version) return done('skipped', this.current(doc), 'the document changed during the check');
      this.log.debug(`${doc.uri.fsPath}: Backstage check found ${out.length} problem(s)`);
      return done('checked', out);
    } catch (err) {
      if (PavedError.is(err, 'cancelled')) return done('skipped', this.current(doc), 'cancelled');
      this.log.warn(`${doc.uri.fsPath}: the Backstage check failed: ${err instanceof Error ? err.message : String(err)}`);
      const d = new vscode.Diagnostic(
        new vscode.Range(0, 0, 0, 0),
        `Backstage could not check this file: ${err instanceof Error ? err.message : String(err)}`,
        vscode.DiagnosticSeverity.Information,
      );
      d.source = DIAGNOSTIC_SOURCE;
      d.code = 'check-failed';
      return done('failed', [d], err instanceof Error ? err.message : String(err));
    }
  }

  private current(doc: vscode.TextDocument): vscode.Diagnostic[] {
    return [...(this.diagnostics.get(doc.uri) ?? [])];
  }

  private schedule(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.check(doc).catch((err: unknown) => this.log.error(`Backstage check of ${doc.uri.fsPath}`, err));
      }, this.debounceMs),
    );
  }

  private cancel(key: string): void {
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.running.get(key)?.abort();
    this.running.delete(key);
  }

  /** The connected Backstage backend, or why there is none (no request is sent to find out unless its kind has the check). */
  private async backstage(): Promise<BackstageBackend | string> {
    if (!vscode.workspace.isTrusted) return 'the workspace is not trusted';
    let kind: PlatformKind;
    try {
      kind = this.connection.settings().kind;
    } catch (err) {
      return `the platform settings are invalid: ${err instanceof Error ? err.message : String(err)}`;
    }
    // Decided before connecting: a platform without the check is not asked anything.
    if (!capabilitiesOf(kind).validateEntity) return `paved.platform.kind is ${kind}, which has no validate-entity check`;
    let backend: PlatformBackend;
    try {
      backend = await this.connection.current();
    } catch (err) {
      this.log.warn(`no Backstage connection for the catalog-info.yaml check: ${err instanceof Error ? err.message : String(err)}`);
      return `not connected: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (!backend.capabilities.validateEntity || !(backend instanceof BackstageBackend)) return `${backend.displayName} has no validate-entity check`;
    return backend;
  }

  private async complete(doc: vscode.TextDocument, pos: vscode.Position, token: vscode.CancellationToken): Promise<vscode.CompletionList | undefined> {
    const ctx = refFieldAt(doc.getText(), doc.offsetAt(pos));
    if (!ctx) return undefined;
    const backend = await this.backstage();
    if (typeof backend === 'string') return undefined;
    // Search by name: what was typed after any `kind:` and `namespace/`.
    const text = ctx.prefix.replace(/^[^:/]*:/, '').replace(/^[^/]*\//, '');
    const abort = abortSignalFrom(token);
    try {
      const refs = await backend.suggestRefs(ctx.kinds, text, { defaultKind: ctx.defaultKind, signal: abort.signal, limit: 50 });
      const range = new vscode.Range(doc.positionAt(ctx.replace.offset), doc.positionAt(ctx.replace.offset + ctx.replace.length));
      const items = refs.map((r, i) => {
        const item = new vscode.CompletionItem({ label: r.ref, description: r.title }, vscode.CompletionItemKind.Reference);
        item.detail = r.label;
        item.range = range;
        item.sortText = String(i).padStart(4, '0');
        item.filterText = r.ref;
        return item;
      });
      // The catalog was searched for this text only: ask again as the user types.
      return new vscode.CompletionList(items, true);
    } catch (err) {
      if (PavedError.is(err, 'cancelled')) return undefined;
      this.log.warn(`ref completion from Backstage failed: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    } finally {
      abort.dispose();
    }
  }
}
