/**
 * A TEST-ONLY stand-in for the Red Hat YAML extension (`redhat.vscode-yaml`), which cannot be downloaded here: the
 * same extension id, and the same validation — the real `yaml-language-server` library (getLanguageService →
 * doValidation) on every open YAML document, with no schema associations unless `yaml.schemas` says so — published as
 * diagnostics with the language server's source ("YAML"). `yaml.validate: false` switches it off, as in the real one.
 * Packaged by test/harness/package.ts (packageRedHatYamlStandIn); never published.
 *
 * Its API (what `activate` returns) lets tests wait for a validation: `onDidValidate` and `validated(uri, version)`.
 */
import * as vscode from 'vscode';
import { getLanguageService } from 'yaml-language-server';
import { TextDocument } from 'vscode-languageserver-textdocument';

export interface Validation {
  uri: vscode.Uri;
  version: number;
  diagnostics: vscode.Diagnostic[];
}

export interface RedHatYamlStandInApi {
  readonly onDidValidate: vscode.Event<Validation>;
  /** Resolves with the validation of that document version (now if it is done already). */
  validated(uri: vscode.Uri, version: number): Promise<Validation>;
}

const SEVERITY = [vscode.DiagnosticSeverity.Error, vscode.DiagnosticSeverity.Error, vscode.DiagnosticSeverity.Warning, vscode.DiagnosticSeverity.Information, vscode.DiagnosticSeverity.Hint];

export function activate(context: vscode.ExtensionContext): RedHatYamlStandInApi {
  const ls = getLanguageService({
    schemaRequestService: (uri: string) => Promise.reject(new Error(`the Red Hat YAML stand-in fetches no schema (${uri})`)),
    workspaceContext: { resolveRelativePath: (relative: string, resource: string) => new URL(relative, resource).toString() },
  });
  const configure = () => {
    const schemas = vscode.workspace.getConfiguration('yaml').get<Record<string, string | string[]>>('schemas', {});
    ls.configure({
      validate: true,
      hover: false,
      completion: false,
      format: false,
      schemas: Object.entries(schemas).map(([uri, match]) => ({ uri, fileMatch: Array.isArray(match) ? match : [match] })),
    });
  };
  configure();
  const collection = vscode.languages.createDiagnosticCollection('yaml');
  const emitter = new vscode.EventEmitter<Validation>();
  const last = new Map<string, Validation>();
  context.subscriptions.push(collection, emitter);

  const validate = async (doc: vscode.TextDocument): Promise<void> => {
    if (doc.languageId !== 'yaml') return;
    const version = doc.version;
    let diagnostics: vscode.Diagnostic[] = [];
    if (vscode.workspace.getConfiguration('yaml', { uri: doc.uri, languageId: 'yaml' }).get<boolean>('validate', true)) {
      const found = await ls.doValidation(TextDocument.create(doc.uri.toString(), 'yaml', version, doc.getText()), false);
      if (doc.isClosed || doc.version !== version) return;
      diagnostics = found.map((d) => {
        const out = new vscode.Diagnostic(new vscode.Range(d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character), typeof d.message === 'string' ? d.message : d.message.value, SEVERITY[d.severity ?? 1]);
        out.source = d.source ?? 'YAML';
        if (d.code !== undefined) out.code = d.code;
        return out;
      });
    }
    collection.set(doc.uri, diagnostics);
    const v: Validation = { uri: doc.uri, version, diagnostics };
    last.set(doc.uri.toString(), v);
    emitter.fire(v);
  };
  const run = (doc: vscode.TextDocument) => {
    validate(doc).catch((err: unknown) => console.error(`redhat.vscode-yaml stand-in: ${doc.uri.toString()}: ${err instanceof Error ? err.message : String(err)}`));
  };
  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument(run),
    vscode.workspace.onDidChangeTextDocument((e) => run(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => {
      collection.delete(d.uri);
      last.delete(d.uri.toString());
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('yaml')) return;
      configure();
      vscode.workspace.textDocuments.forEach(run);
    }),
  );
  vscode.workspace.textDocuments.forEach(run);

  return {
    onDidValidate: emitter.event,
    validated(uri, version) {
      const done = last.get(uri.toString());
      if (done && done.version === version) return Promise.resolve(done);
      return new Promise((resolve) => {
        const sub = emitter.event((v) => {
          if (v.uri.toString() === uri.toString() && v.version === version) {
            sub.dispose();
            resolve(v);
          }
        });
      });
    },
  };
}
