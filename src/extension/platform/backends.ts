import type * as vscode from 'vscode';
import { createBackstageBackend } from '../../platform/backstage';
import { createBackend } from '../../platform/connection';
import { tokenKey, type BackendFactory } from './connection';

/**
 * The backend factory the connection uses: the Paved API client for `local` and `paved` (its contract schemas are
 * read from the installed extension's `schemas/`), the Backstage client for `backstage`. An entity annotated
 * `paved.dev/platform-api: <url>` deploys through that Paved API with the token stored for <url> (Paved: Sign In with
 * paved.platform.url set to it), never with the Backstage token.
 */
export function backendFactory(packageRoot: string, secrets?: vscode.SecretStorage): BackendFactory {
  const pavedTokenFor = (apiUrl: string) => async () => secrets?.get(tokenKey(apiUrl));
  return (target) => createBackend(target, { packageRoot, backstage: (t, options) => createBackstageBackend(t, options, { pavedTokenFor }) });
}
