/**
 * What the catalog view puts on a TreeItem (pure): the icon that sums up a service's environments, its description
 * (`team-payments · local ✓ · staging ⚠`), its tooltip (every mark spelled out: meaning never rests on colour alone),
 * its context value and the group labels. Health (where a release runs and the platform probes it) wins over "running".
 */
import type { EnvironmentState, HealthState } from '../../core/api/types';
import type { CatalogService } from '../../platform/backend';
import { environmentMark, environmentWords, HEALTH_MEANING, MARK_LEGEND } from '../ui/health';
import { orderedEnvironments } from '../ui/environments';
import type { GroupNode, ServiceNode } from './model';

export type StatusIcon = 'failed' | 'unhealthy' | 'degraded' | 'deploying' | 'running' | 'stopped' | 'not-deployed';

/** The icon summarising every environment: a failure or an unhealthy release wins, then degraded, deploying, running. */
export function statusIcon(status: Record<string, EnvironmentState>, health?: Record<string, HealthState>): StatusIcon {
  const states = Object.values(status);
  const healths = Object.values(health ?? {});
  if (states.includes('failed')) return 'failed';
  if (healths.includes('unhealthy')) return 'unhealthy';
  if (healths.includes('degraded')) return 'degraded';
  if (states.includes('deploying')) return 'deploying';
  if (states.includes('running')) return 'running';
  if (states.includes('stopped')) return 'stopped';
  return 'not-deployed';
}

/** `team-payments · local ✓ · production ✗` */
export function serviceDescription(s: CatalogService): string {
  const envs = orderedEnvironments(s.status);
  // Not deployed anywhere: the owner string itself, shared by every item the view keeps.
  if (envs.length === 0) return s.owner;
  return [s.owner, ...envs.map(([env, state]) => `${env} ${environmentMark(state, s.health?.[env])}`)].join(' · ');
}

/** The few distinct context values, one string each (the view keeps one per item it shows). */
const CONTEXT_VALUES = new Map<string, string>();

/** Flags the context menus match on (`viewItem =~ /deployable/`). */
export function serviceContextValue(node: ServiceNode): string {
  const flags = ['service', 'manifest', 'details'];
  if (node.deployable) flags.push('deployable');
  flags.push(node.service.source === 'workspace' ? 'workspace' : 'registered');
  const value = flags.join('+');
  const known = CONTEXT_VALUES.get(value);
  if (known !== undefined) return known;
  CONTEXT_VALUES.set(value, value);
  return value;
}

/** Escapes text for a MarkdownString (no HTML, no links, no emphasis injected by catalog values). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~&]/g, (c) => `\\${c}`);
}

export function serviceTooltip(s: CatalogService, deployable = true): string {
  const lines = [`**${escapeMarkdown(s.title ?? s.name)}**${s.title ? ` \`${s.name.replace(/`/g, '')}\`` : ''}`, ''];
  if (s.description) lines.push(escapeMarkdown(s.description), '');
  lines.push(`Owner: ${escapeMarkdown(s.owner)}  `);
  if (s.system) lines.push(`System: ${escapeMarkdown(s.system)}  `);
  if (s.lifecycle) lines.push(`Lifecycle: ${escapeMarkdown(s.lifecycle)}  `);
  if (s.tags.length) lines.push(`Tags: ${s.tags.map(escapeMarkdown).join(', ')}  `);
  lines.push(`Source: ${s.source === 'workspace' ? 'this workspace' : 'registered'}`);
  const envs = orderedEnvironments(s.status);
  const line = ([e, st]: [string, EnvironmentState]) => {
    const h = st === 'running' ? s.health?.[e] : undefined;
    return `${escapeMarkdown(e)}: ${environmentMark(st, h)} ${escapeMarkdown(h ? HEALTH_MEANING[h].replace(/^\w+/, (w) => `running, ${w}`) : environmentWords(st, h))}`;
  };
  lines.push('', envs.length ? envs.map(line).join('  \n') : 'Not deployed anywhere yet.');
  if (envs.length) lines.push('', `_${escapeMarkdown(MARK_LEGEND)}_`);
  if (s.deploysThrough) lines.push('', `Deploys through the Paved platform at ${escapeMarkdown(s.deploysThrough)}`);
  else if (!deployable) {
    lines.push('', 'No Deploy here: this catalog has no deploy API. Annotate the entity with `paved.dev/platform-api: <url>` to deploy it through a Paved platform.');
  }
  return lines.join('\n');
}

/** `12 services`, or `12+ services` when the backend only sampled the catalog. */
export function groupDescription(node: GroupNode): string {
  return `${node.count}${node.partial ? '+' : ''} ${node.count === 1 && !node.partial ? 'service' : 'services'}`;
}

export function groupLabel(node: GroupNode): string {
  if (node.value !== undefined) return node.value;
  return node.field === 'system' ? 'No system' : node.field === 'lifecycle' ? 'No lifecycle' : 'No owner';
}
