/**
 * Pure connection resolution: settings (by scope) + workspace trust + a token source → a `PlatformBackend`, or a
 * typed error. No vscode: the extension passes what `WorkspaceConfiguration.inspect()` returns, the CLI its flags.
 *
 * Rules:
 * - Untrusted workspace: nothing is resolved and no request is sent (`untrusted`). Even for display, workspace and
 *   folder values of `paved.platform.kind` / `paved.platform.url` are ignored (`effectiveSettings(…, false)`): a cloned
 *   repository must not be able to send the user's token to its own server.
 * - `paved` / `backstage` need `paved.platform.url`: https, or http on loopback only (`parsePlatformUrl`).
 * - `local` finds the running `paved serve` through `<state-dir>/serve.json` and reads its token file (local.ts).
 */
import type { BackendOptions, BackendTarget, PlatformBackend, PlatformKind } from './backend';
import { createBackstageBackend } from './backstage';
import { PlatformError } from './errors';
import { defaultLocalStateDir, findLocalPlatform, localTokenProvider } from './local';
import { PavedApiBackend } from './paved/backend';
import { parsePlatformUrl, type TokenProvider } from './transport';

export type { BackendOptions, BackendTarget } from './backend';

export const PLATFORM_KINDS: readonly PlatformKind[] = ['local', 'paved', 'backstage'];

/** One setting's values by scope, as `WorkspaceConfiguration.inspect(key)` returns them. */
export interface ScopedValue<T> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

export interface ConnectionSettings {
  kind: PlatformKind;
  /** Trimmed, without trailing slashes; '' when unset. */
  url: string;
  /** Workspace-level values that were ignored because the workspace is untrusted (for the log / a hint). */
  ignored: ('kind' | 'url')[];
}

/** The values that apply: folder > workspace > user > default when trusted; user > default when untrusted. */
export function effectiveSettings(kind: ScopedValue<string>, url: ScopedValue<string>, trusted: boolean): ConnectionSettings {
  const ignored: ('kind' | 'url')[] = [];
  const pick = (name: 'kind' | 'url', v: ScopedValue<string>): string | undefined => {
    const ws = v.workspaceFolderValue ?? v.workspaceValue;
    if (!trusted && ws !== undefined) ignored.push(name);
    return (trusted ? ws : undefined) ?? v.globalValue ?? v.defaultValue;
  };
  const rawKind = (pick('kind', kind) ?? 'local').trim();
  if (!(PLATFORM_KINDS as readonly string[]).includes(rawKind)) {
    throw new PlatformError('invalid-input', `paved.platform.kind must be one of ${PLATFORM_KINDS.join(', ')}, not "${rawKind}".`, { action: 'open-settings' });
  }
  const rawUrl = (pick('url', url) ?? '').trim().replace(/\/+$/, '');
  return { kind: rawKind as PlatformKind, url: rawUrl, ignored };
}

/** Builds the client for a target; throws `invalid-input` for a bad URL (https rule) before anything is sent. */
export function createBackend(target: BackendTarget, options: BackendOptions = {}): PlatformBackend {
  parsePlatformUrl(target.url);
  if (target.kind === 'backstage') return (options.backstage ?? createBackstageBackend)(target, options);
  const { backstage: _b, packageRoot, ...transport } = options;
  return new PavedApiBackend({ ...transport, kind: target.kind, baseUrl: target.url, token: target.token, packageRoot });
}

export interface ConnectInput {
  settings: ConnectionSettings;
  trusted: boolean;
  /** Token for `paved` / `backstage` (SecretStorage in the editor, PAVED_TOKEN in the CLI). */
  token: TokenProvider;
  /** State directory of the local platform (default: `paved serve`'s). */
  localStateDir?: string;
}

/**
 * Resolves everything into a backend. `untrusted` before anything else; `invalid-input` for a missing or unsafe URL;
 * `unreachable` when `local` is chosen and no `paved serve` is running (the extension starts one; the CLI says how).
 */
export async function connect(input: ConnectInput, options: BackendOptions = {}): Promise<PlatformBackend> {
  if (!input.trusted) {
    throw new PlatformError('untrusted', 'Paved sends no request to a platform in an untrusted workspace. Trust the workspace to see the catalog and deploy.', {
      action: 'none',
    });
  }
  const { kind, url } = input.settings;
  if (kind === 'local') {
    const stateDir = input.localStateDir ?? defaultLocalStateDir();
    const info = await findLocalPlatform(stateDir);
    if (!info) {
      throw new PlatformError(
        'unreachable',
        `The local platform is not running (no live instance recorded in ${stateDir}). Start it with \`paved serve\`, or open the Paved view in VS Code.`,
        { action: 'retry' },
      );
    }
    return createBackend({ kind, url: info.url, token: localTokenProvider(stateDir, info) }, options);
  }
  if (url === '') {
    throw new PlatformError('invalid-input', `No platform URL is set for paved.platform.kind "${kind}". Set paved.platform.url, or use the local platform.`, {
      action: 'open-settings',
    });
  }
  return createBackend({ kind, url, token: input.token }, options);
}
