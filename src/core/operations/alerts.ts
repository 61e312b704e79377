/**
 * When to tell someone that a service turned unhealthy — once, never a storm: one alert per service and environment
 * when it turns unhealthy, then nothing more for it until it has recovered (healthy again, or no longer running).
 * Flapping between degraded and unhealthy does not alert again. The first snapshot only sets the baseline: what was
 * already unhealthy then is shown (tree, status bar), not announced. Pure.
 */
import type { HealthState } from '../api/types';

export interface HealthSnapshotItem {
  service: string;
  environment: string;
  state: HealthState;
}

export class UnhealthyAlerts {
  private primed = false;
  /** `service/environment` alerted (or unhealthy at the baseline) and not recovered since. */
  private readonly open = new Set<string>();

  /** The items to alert about now, given the full current snapshot and which services the user cares about. */
  update(items: readonly HealthSnapshotItem[], cares: (service: string) => boolean): HealthSnapshotItem[] {
    const present = new Set<string>();
    const alerts: HealthSnapshotItem[] = [];
    for (const item of items) {
      const key = `${item.service}/${item.environment}`;
      present.add(key);
      if (item.state === 'healthy') {
        this.open.delete(key);
        continue;
      }
      if (item.state !== 'unhealthy' || this.open.has(key)) continue;
      this.open.add(key);
      if (this.primed && cares(item.service)) alerts.push(item);
    }
    for (const key of [...this.open]) if (!present.has(key)) this.open.delete(key);
    this.primed = true;
    return alerts;
  }
}
