import { createBackend } from '../../platform/connection';
import type { BackendFactory } from './connection';

/**
 * The backend factory the connection uses: the Paved API client for `local` and `paved` (its contract schemas are
 * read from the installed extension's `schemas/`). Backstage fails with `unsupported` until its client is wired here.
 */
export function backendFactory(packageRoot: string): BackendFactory {
  return (target) => createBackend(target, { packageRoot });
}
