/**
 * How every platform command of `paved` connects: the connection options (`--backend`, `--url`, `--state-dir`), the
 * environment (PAVED_BACKEND, PAVED_URL, PAVED_STATE_DIR, PAVED_TOKEN; flags win), the same connection rules as the
 * editor (src/platform/connection.ts), and — for a Backstage entity that deploys through a Paved platform — that
 * platform's token (PAVED_DEPLOY_TOKEN, sent only to the platform named by --deploy-url / PAVED_DEPLOY_URL).
 */
import { PavedError } from '../core/errors';
import type { BackendOptions, PlatformBackend } from '../platform/backend';
import { createBackstageBackend } from '../platform/backstage';
import { connect, createBackend, PLATFORM_KINDS, type ConnectionSettings } from '../platform/connection';
import { defaultLocalStateDir, findLocalPlatform, verifiedTokenProvider } from '../platform/local';
import type { TokenProvider } from '../platform/transport';
import { UsageError, type OptionsSpec } from './args';

export interface CliDeps {
  env: NodeJS.ProcessEnv;
  /** Passed to the backend (tests inject clocks and retry policies; a build with its own Backstage client injects it). */
  backendOptions?: BackendOptions;
}

/** The options every platform command takes. */
export const CONNECTION_OPTIONS = {
  backend: { type: 'string' },
  url: { type: 'string' },
  'state-dir': { type: 'string' },
} as const satisfies OptionsSpec;

/** The deploy commands also name the Paved platform a Backstage entity may deploy through. */
export const DEPLOY_CONNECTION_OPTIONS = { ...CONNECTION_OPTIONS, 'deploy-url': { type: 'string' } } as const satisfies OptionsSpec;

export interface ConnectionValues {
  backend?: string;
  url?: string;
  'state-dir'?: string;
  'deploy-url'?: string;
}

/** Usage text of the connection options and the token rules. */
export function connectionHelp(opts: { deploy?: boolean } = {}): string {
  const lines = [
    'Connection:',
    '  --backend KIND     local, paved or backstage (env PAVED_BACKEND); default local, or paved when a URL is given',
    '  --url URL          platform base URL for paved/backstage; https unless loopback (env PAVED_URL). A URL names a',
    '                     remote platform: --url alone means --backend paved',
    '  --state-dir DIR    state directory of the local platform (env PAVED_STATE_DIR; default $XDG_STATE_HOME/paved or',
    `                     ~/.local/state/paved, the one VS Code's local platform uses too; now ${defaultLocalStateDir()})`,
  ];
  if (opts.deploy) {
    lines.push(
      '  --deploy-url URL   with --backend backstage: the Paved platform an entity deploys through (its annotation',
      '                     paved.dev/platform-api), the only one PAVED_DEPLOY_TOKEN is sent to (env PAVED_DEPLOY_URL)',
    );
  }
  lines.push('Token: PAVED_TOKEN, or for the local platform the token file of the running `paved serve`.');
  if (opts.deploy) lines.push('Deploying a Backstage entity: PAVED_DEPLOY_TOKEN, that Paved platform\'s token (never the Backstage one).');
  return lines.join('\n');
}

const normalizeUrl = (url: string) => url.trim().replace(/\/+$/, '');

/**
 * The token for the Paved platform a Backstage entity deploys through: PAVED_DEPLOY_TOKEN, given only to the platform
 * the user named (--deploy-url or PAVED_DEPLOY_URL) — an entity's annotation cannot send it anywhere else.
 */
export class DeployTokens {
  private readonly url: string | undefined;
  private readonly token: string | undefined;

  constructor(values: ConnectionValues, env: NodeJS.ProcessEnv) {
    const url = values['deploy-url'] ?? env.PAVED_DEPLOY_URL;
    this.url = url && url.trim() !== '' ? normalizeUrl(url) : undefined;
    this.token = env.PAVED_DEPLOY_TOKEN?.trim() || undefined;
  }

  /** The token for `apiUrl`, when it is the platform the user named. */
  tokenFor(apiUrl: string): string | undefined {
    return this.url !== undefined && normalizeUrl(apiUrl) === this.url ? this.token : undefined;
  }

  /** Fails, saying what to set, unless a token is configured for the platform at `url`. */
  ensure(url: string, why: string): void {
    if (this.tokenFor(url) !== undefined) return;
    const how = `set PAVED_DEPLOY_TOKEN to a token of that platform and pass --deploy-url ${normalizeUrl(url)} (or PAVED_DEPLOY_URL); Paved sends that token to that platform only, never the Backstage token`;
    if (this.url !== undefined && this.token !== undefined) {
      throw new PavedError('unauthorized', `${why} --deploy-url names ${this.url}: PAVED_DEPLOY_TOKEN is not sent anywhere else. To deploy through ${normalizeUrl(url)}, ${how}.`);
    }
    throw new PavedError('unauthorized', `${why} To deploy it, ${how}.`);
  }
}

/**
 * Opens the backend the options and the environment describe. A URL names a remote platform: without a kind it is
 * `paved`; with `local` it is a usage error (the local platform is found through its state directory) — unless
 * `--backend local` on the command line overrides a PAVED_URL from the environment.
 */
export async function openBackend(values: ConnectionValues, deps: CliDeps): Promise<PlatformBackend> {
  const { env } = deps;
  const url = normalizeUrl(values.url ?? env.PAVED_URL ?? '');
  const urlFromFlag = values.url !== undefined;
  const kind = values.backend ?? env.PAVED_BACKEND ?? (url !== '' ? 'paved' : 'local');
  if (!(PLATFORM_KINDS as readonly string[]).includes(kind)) throw new UsageError(`--backend must be one of ${PLATFORM_KINDS.join(', ')}, not '${kind}'`);
  if (kind === 'local' && url !== '' && (urlFromFlag || values.backend === undefined)) {
    throw new UsageError(`${urlFromFlag ? '--url' : 'PAVED_URL'} names a remote platform, but the backend is local (found through its state directory). Use --backend paved or --backend backstage with it, or leave it out`);
  }
  const envToken = env.PAVED_TOKEN?.trim() || undefined;
  const token: TokenProvider = async () => envToken;
  const stateDir = values['state-dir'] ?? defaultLocalStateDir(env);
  const deployTokens = new DeployTokens(values, env);
  const options: BackendOptions = {
    ...deps.backendOptions,
    backstage: deps.backendOptions?.backstage ?? ((target, o) => createBackstageBackend(target, o, { pavedTokenFor: (apiUrl) => async () => deployTokens.tokenFor(apiUrl) })),
  };
  if (kind === 'local' && envToken) {
    // PAVED_TOKEN wins over the token file; the URL still comes from serve.json (and the listener there must prove it
    // is that instance before the token is sent).
    const info = await findLocalPlatform(stateDir);
    if (info) return createBackend({ kind: 'local', url: info.url, token: verifiedTokenProvider(info, token) }, options);
  }
  const settings: ConnectionSettings = { kind: kind as ConnectionSettings['kind'], url, ignored: [] };
  return connect({ settings, trusted: true, token, localStateDir: stateDir }, options);
}
