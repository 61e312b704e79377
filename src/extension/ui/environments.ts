/** Environments as every view lists them: promotion order (local, staging, production), then the others by name. */
import type { EnvironmentState } from '../../core/api/types';

const ENV_ORDER = ['local', 'staging', 'production'];

/** Environments in promotion order (local, staging, production), then the others by name. */
export function orderedEnvironments(status: Record<string, EnvironmentState>): [string, EnvironmentState][] {
  const rank = (e: string) => (ENV_ORDER.includes(e) ? ENV_ORDER.indexOf(e) : ENV_ORDER.length);
  return Object.entries(status).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}
