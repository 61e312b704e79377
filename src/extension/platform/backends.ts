import type { BackendFactory } from './connection';
import { PlatformError } from '../../platform/errors';

/**
 * The backend factory the connection uses. The Paved API client (src/platform/paved) serves kinds `local` and
 * `paved`; Backstage has its own client.
 */
export const createBackend: BackendFactory = (target) => {
  throw new PlatformError('unsupported', `No client for ${target.kind} platforms is built into this version of Paved yet.`, { action: 'none' });
};
