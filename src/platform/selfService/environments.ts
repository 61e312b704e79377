/** Environments and releases as the user names or picks them. */
import type { Environment } from '../../core/api/types';
import { findEnvironment } from '../../core/deploy';
import { describeError } from '../../core/errors';
import type { PlatformBackend } from '../backend';
import { PlatformError } from '../errors';
import type { ReleaseChoice } from './context';

/**
 * The environment the user named. An unknown name is their input error, found before anything is sent:
 * `invalid-input` without an HTTP status (the CLI's usage error, exit 2).
 */
export function environmentNamed(environments: readonly Environment[], name: string): Environment {
  try {
    return findEnvironment(environments, name);
  } catch (err) {
    throw new PlatformError('invalid-input', describeError(err), { cause: err, action: 'none' });
  }
}

/** Where a promotion from `from` goes: `to` when named, else the environment after it. */
export function promotionTarget(environments: readonly Environment[], from: Environment, to: string | undefined): Environment {
  if (to === undefined && from.next === undefined) throw new PlatformError('invalid-input', `${from.name} is the last environment: there is nothing to promote it to`, { action: 'none' });
  return environmentNamed(environments, to ?? from.next!);
}

/** Releases of `service` that succeeded (in `environment`, or anywhere), newest first, each once. */
export async function earlierReleases(backend: PlatformBackend, service: string, environment?: string, signal?: AbortSignal): Promise<ReleaseChoice[]> {
  const page = await backend.listDeployments(service, { ...(environment ? { environment } : {}), limit: 50 }, { signal });
  const seen = new Set<string>();
  const out: ReleaseChoice[] = [];
  for (const d of page.items) {
    if (!d.release || seen.has(d.release) || d.state !== 'succeeded') continue;
    seen.add(d.release);
    out.push({ release: d.release, environment: d.environment, at: d.finishedAt ?? d.createdAt });
  }
  return out;
}
