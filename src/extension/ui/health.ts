/**
 * Health as every view shows it (tree, status bar, CodeLens, details): a mark and a word per state, so the meaning
 * never rests on colour alone, and the tooltip legend that explains the marks. Pure.
 */
import type { EnvironmentState, HealthState } from '../../core/api/types';
import { orderedEnvironments } from './environments';

export const HEALTH_MARK: Record<HealthState, string> = { healthy: '✓', degraded: '⚠', unhealthy: '✗', unknown: '…' };

export const HEALTH_MEANING: Record<HealthState, string> = {
  healthy: 'healthy: it answers its health check',
  degraded: 'degraded: some health checks fail, not yet enough to call it unhealthy',
  unhealthy: 'unhealthy: it keeps failing its health check',
  unknown: 'not checked yet',
};

export const STATE_MARK: Record<EnvironmentState, string> = { running: '✓', failed: '✗', deploying: '↻', stopped: '■', 'not-deployed': '○' };

/** What the tooltips add under the environments. */
export const MARK_LEGEND = '✓ running and healthy · ⚠ degraded · ✗ unhealthy or failed · ↻ deploying · ■ stopped · … not checked yet';

/** The mark of an environment: its health while it runs (when the platform reports one), else its state. */
export function environmentMark(state: EnvironmentState, health: HealthState | undefined): string {
  return state === 'running' && health ? HEALTH_MARK[health] : STATE_MARK[state];
}

/** `running, degraded` / `failed` — the words behind a mark. */
export function environmentWords(state: EnvironmentState, health: HealthState | undefined): string {
  return state === 'running' && health ? `running, ${health}` : state;
}

/** The worst health among environments (unhealthy, then degraded, then unknown, then healthy), if any. */
export function worstHealth(health: Record<string, HealthState> | undefined): HealthState | undefined {
  const states = Object.values(health ?? {});
  for (const s of ['unhealthy', 'degraded', 'unknown', 'healthy'] as const) if (states.includes(s)) return s;
  return undefined;
}

/** The CodeLens text: `local: healthy r7 · staging: degraded` (environments in promotion order). */
export function liveStateText(items: readonly { environment: string; state: HealthState; releaseNumber?: number }[]): string {
  const byEnv = Object.fromEntries(items.map((i) => [i.environment, i]));
  const order = orderedEnvironments(Object.fromEntries(items.map((i) => [i.environment, 'running'])));
  return order.map(([env]) => `${env}: ${byEnv[env].state}${byEnv[env].releaseNumber ? ` r${byEnv[env].releaseNumber}` : ''}`).join(' · ');
}
