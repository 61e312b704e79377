import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { stringify } from 'yaml';
import type { LinkType } from '../../core/api/types';
import { PavedError, UserCancelledError } from '../../core/errors';
import type { CatalogService } from '../../platform/backend';
import { PlatformError } from '../../platform/errors';
import type { CommandRunner } from '../commands';
import type { DetailsPanels } from '../details/detailsPanel';
import { openExternalLink } from '../ui/links';
import { safeUrl } from '../ui/safeText';
import { Commands, MANIFEST_SCHEME } from '../ids';
import { Component } from '../lifecycle';
import type { Logger } from '../log';
import type { PlatformConnection } from '../platform/connection';
import type { ServiceNode } from './model';

/** What a service command accepts: a tree node, a ref string, or nothing (then the user picks). */
export type ServiceArg = ServiceNode | string | undefined;

export function refOf(arg: ServiceArg): string | undefined {
  if (typeof arg === 'string') return arg;
  return arg?.service.ref;
}

/** `paved-manifest:/<ref>/paved.yaml` — the read-only manifest of a service that is not in this workspace. */
export function manifestUri(ref: string, fileName = 'paved.yaml'): vscode.Uri {
  return vscode.Uri.from({ scheme: MANIFEST_SCHEME, path: `/${encodeURIComponent(ref)}/${fileName}` });
}

export function refFromManifestUri(uri: vscode.Uri): string {
  return decodeURIComponent(uri.path.split('/')[1] ?? '');
}

/**
 * Service actions shared by the catalog tree, the details panel and the palette: open manifest (the workspace file,
 * or a read-only `paved-manifest:` document), open details, copy reference, open docs/runbook/dashboard/repo links.
 */
export class ServiceCommands extends Component implements vscode.TextDocumentContentProvider {
  constructor(
    commands: CommandRunner,
    private readonly connection: PlatformConnection,
    private readonly details: DetailsPanels,
    private readonly log: Logger,
  ) {
    super();
    this.register(vscode.workspace.registerTextDocumentContentProvider(MANIFEST_SCHEME, this));
    this.register(commands.register(Commands.openManifest, (arg: ServiceArg) => this.openManifest(arg)));
    this.register(commands.register(Commands.openDetails, async (arg: ServiceArg) => this.details.open(await this.resolve(arg))));
    this.register(commands.register(Commands.copyReference, (arg: ServiceArg) => this.copyReference(arg)));
    const links: [typeof Commands.openDocs | typeof Commands.openRunbook | typeof Commands.openDashboard | typeof Commands.openRepo, LinkType][] = [
      [Commands.openDocs, 'docs'],
      [Commands.openRunbook, 'runbook'],
      [Commands.openDashboard, 'dashboard'],
      [Commands.openRepo, 'repo'],
    ];
    for (const [id, type] of links) this.register(commands.register(id, (arg: ServiceArg) => this.openLink(arg, type)));
  }

  /** The ref of the argument, or one the user picks from the catalog. Throws UserCancelledError when they don't. */
  async resolve(arg: ServiceArg): Promise<string> {
    const ref = refOf(arg);
    if (ref) return ref;
    const picked = await pickService(this.connection, 'Paved: Pick a Service');
    if (!picked) throw new UserCancelledError();
    return picked.ref;
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const ref = refFromManifestUri(uri);
    const backend = await this.connection.current();
    const service = await backend.getService(ref);
    return `# Read-only: the manifest of ${service.name} as ${backend.displayName} has it (${service.manifestKind}).\n${stringify(service.manifest)}`;
  }

  async openManifest(arg: ServiceArg): Promise<vscode.TextEditor> {
    const ref = await this.resolve(arg);
    const backend = await this.connection.current();
    const service = await backend.getService(ref);
    const local = service.manifestPath && this.isWorkspaceFile(service.manifestPath) ? service.manifestPath : undefined;
    if (local) {
      this.log.debug(`opening workspace manifest ${local}`);
      return vscode.window.showTextDocument(vscode.Uri.file(local), { preview: true });
    }
    const name = service.manifestKind === 'catalog-info.yaml' ? 'catalog-info.yaml' : 'paved.yaml';
    const doc = await vscode.workspace.openTextDocument(manifestUri(ref, name));
    if (doc.languageId !== 'yaml') await vscode.languages.setTextDocumentLanguage(doc, 'yaml');
    return vscode.window.showTextDocument(doc, { preview: true });
  }

  private isWorkspaceFile(file: string): boolean {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const inside = folders.some((f) => {
      if (f.uri.scheme !== 'file') return false;
      const rel = path.relative(f.uri.fsPath, file);
      return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
    });
    return inside && fs.existsSync(file);
  }

  private async copyReference(arg: ServiceArg): Promise<string> {
    const ref = await this.resolve(arg);
    await vscode.env.clipboard.writeText(ref);
    vscode.window.setStatusBarMessage(`Paved: copied ${ref}`, 3000);
    return ref;
  }

  private async openLink(arg: ServiceArg, type: LinkType): Promise<void> {
    const ref = await this.resolve(arg);
    const backend = await this.connection.current();
    const service = await backend.getService(ref);
    const candidates = service.links.filter((l) => l.type === type || (l.type === undefined && l.title?.toLowerCase().includes(type)));
    if (candidates.length === 0) {
      throw new PavedError('not-found', `${service.name} has no ${type} link. Add one under metadata.links in its manifest (type: ${type}).`);
    }
    let link = candidates[0];
    if (candidates.length > 1) {
      const picked = await vscode.window.showQuickPick(
        candidates.map((l) => ({ label: l.title ?? l.url, detail: l.url, link: l })),
        { title: `Paved: Open a ${type} link of ${service.name}` },
      );
      if (!picked) throw new UserCancelledError();
      link = picked.link;
    }
    if (!safeUrl(link.url)) throw new PlatformError('invalid-response', `The ${type} link of ${service.name} is not an http(s) URL: ${link.url}`, { action: 'none' });
    await openExternalLink(link.url, `the ${type} link of ${service.name}`);
  }
}

/** A quick pick over the catalog that searches the backend as the user types. */
export async function pickService(connection: PlatformConnection, title: string): Promise<CatalogService | undefined> {
  const backend = await connection.current();
  const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { service: CatalogService }>();
  qp.title = title;
  qp.placeholder = 'Type to search services by name, title, description or tag';
  qp.matchOnDescription = true;
  let seq = 0;
  const search = async (text: string) => {
    const mine = ++seq;
    qp.busy = true;
    try {
      const page = await backend.listServices({ text: text || undefined, limit: 50 });
      if (mine !== seq) return;
      qp.items = page.items.map((s) => ({ label: s.name, description: s.owner, detail: s.title ?? s.description, service: s }));
    } catch (err) {
      if (mine === seq) qp.items = [];
      qp.placeholder = `Search failed: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      if (mine === seq) qp.busy = false;
    }
  };
  return new Promise((resolve) => {
    qp.onDidChangeValue((v) => void search(v));
    qp.onDidAccept(() => {
      resolve(qp.selectedItems[0]?.service);
      qp.hide();
    });
    qp.onDidHide(() => {
      resolve(undefined);
      qp.dispose();
    });
    qp.show();
    void search('');
  });
}
