/** Pure part of the Deployments view: which deployments to show, in which order. No vscode import. */
import type { Deployment } from '../../core/api/types';
import { FINISHED_DEPLOYMENT_STATES } from '../../platform/backend';

export const MAX_SHOWN = 50;

export function isRunning(d: Deployment): boolean {
  return !FINISHED_DEPLOYMENT_STATES.has(d.state);
}

/** Keeps the newest version of each deployment (by id): a finished state beats a running one, else the later fetch wins. */
export function mergeDeployments(known: Map<string, Deployment>, incoming: Deployment[]): boolean {
  let changed = false;
  for (const d of incoming) {
    const old = known.get(d.id);
    if (old && !isRunning(old) && isRunning(d)) continue; // a stale list must not resurrect a finished deployment
    if (!old || old.state !== d.state || old.release !== d.release || old.finishedAt !== d.finishedAt || old.error !== d.error) {
      known.set(d.id, d);
      changed = true;
    }
  }
  return changed;
}

/** Running deployments first, then the others; each newest first; at most MAX_SHOWN. */
export function shownDeployments(known: Iterable<Deployment>, max = MAX_SHOWN): Deployment[] {
  return [...known]
    .sort((a, b) => Number(isRunning(b)) - Number(isRunning(a)) || b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id))
    .slice(0, max);
}

/** "3 min ago" relative to now. */
export function ago(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (!Number.isFinite(s)) return iso;
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function deploymentLabel(d: Deployment): string {
  return `${d.service} → ${d.environment}`;
}

export function deploymentDescription(d: Deployment, now: number): string {
  const parts: string[] = [d.state];
  if (d.kind !== 'deploy') parts.push(d.kind);
  if (d.release) parts.push(d.release);
  parts.push(ago(d.finishedAt ?? d.startedAt ?? d.createdAt, now));
  return parts.join(' · ');
}
