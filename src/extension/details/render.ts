/**
 * HTML of the service details webview. Pure (no vscode import) so the escaping is unit-tested: every value that comes
 * from the platform goes through `esc`, URLs through `safeUrl`, and the only script is the nonce'd media/details.js.
 */
import type { Deployment, DoraMetrics, EnvironmentState, Link, ScorecardResult } from '../../core/api/types';
import type { ServiceInfo } from '../../platform/backend';
import type { GoldenPathInfo } from '../platform/goldenPaths';
import { orderedEnvironments } from '../ui/environments';
import { esc, safeUrl } from './html';
import { renderOperations, type OperationsData } from './operations';

export interface RenderContext {
  /** webview.cspSource */
  cspSource: string;
  nonce: string;
  /** webview URIs of media/details.css and media/details.js */
  styleUri: string;
  scriptUri: string;
  /** webview URIs of the health chart's script and uPlot's stylesheet (dist/webview), when the page has charts. */
  chartScriptUri?: string;
  chartStyleUri?: string;
  /** Display name of the platform the data came from. */
  platform: string;
}

export interface DetailsData {
  service: ServiceInfo;
  /** Newest first; empty when the backend cannot deploy. */
  deployments: Deployment[];
  /** Names of services that exist in the catalog (dependencies on others are not links). */
  canDeploy: boolean;
  /** Why Deploy is not offered, when the platform cannot deploy (e.g. Backstage has no deploy API). */
  deployNote?: string;
  /** When the data was fetched (ISO). */
  fetchedAt: string;
  /** Health, SLOs and actions of what runs (absent: not asked, e.g. an older caller). */
  operations?: OperationsData;
  /** The golden path the service records, against the platform's versions. */
  goldenPath?: GoldenPathInfo;
}

export { esc, safeUrl } from './html';

/** A random nonce for the CSP (base64, 128 bits). */
export function makeNonce(random: (n: number) => Buffer): string {
  return random(16).toString('base64');
}

export function contentSecurityPolicy(ctx: Pick<RenderContext, 'cspSource' | 'nonce'>): string {
  return [
    "default-src 'none'",
    `style-src ${ctx.cspSource}`,
    `img-src ${ctx.cspSource}`,
    `font-src ${ctx.cspSource}`,
    `script-src 'nonce-${ctx.nonce}'`,
  ].join('; ');
}

const STATE_CLASS: Record<EnvironmentState, string> = {
  running: 'ok',
  failed: 'bad',
  deploying: 'busy',
  stopped: 'muted',
  'not-deployed': 'muted',
};

function deploymentClass(state: Deployment['state']): string {
  if (state === 'succeeded') return 'ok';
  if (state === 'failed' || state === 'rolled-back') return 'bad';
  if (state === 'cancelled') return 'muted';
  return 'busy';
}

function linkTag(link: Link): string {
  const url = safeUrl(link.url);
  const text = esc(link.title ?? link.url);
  const type = link.type ? `<span class="tag">${esc(link.type)}</span> ` : '';
  return url ? `<li>${type}<a href="#" data-url="${esc(url)}" title="${esc(url)}">${text}</a></li>` : `<li>${type}${text} <span class="muted">(not an http link)</span></li>`;
}

/** `service:ledger` → a link to ledger's details; other refs (resources, …) as text. */
function refTag(ref: string): string {
  const m = /^(?:service|component):(?:[\w-]+\/)?(.+)$/.exec(ref);
  const name = m ? m[1] : !ref.includes(':') ? ref : undefined;
  return name ? `<li><a href="#" data-ref="${esc(name)}">${esc(ref)}</a></li>` : `<li>${esc(ref)}</li>`;
}

function section(title: string, body: string, id: string): string {
  return `<section id="${esc(id)}"><h2>${esc(title)}</h2>${body}</section>`;
}

function list(items: string[], empty: string): string {
  return items.length ? `<ul>${items.join('')}</ul>` : `<p class="muted">${esc(empty)}</p>`;
}

function duration(seconds: number | undefined): string {
  if (seconds === undefined) return '—';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

function metrics(m: DoraMetrics | undefined): string {
  if (!m) return '<p class="muted">This platform reports no DORA metrics.</p>';
  const rows: [string, string][] = [
    ['Deployment frequency', `${m.deploymentFrequencyPerDay.toFixed(2)} / day (${m.deployments} in ${m.windowDays} days)`],
    ['Lead time for changes', duration(m.leadTimeSeconds)],
    ['Change failure rate', m.changeFailureRate === undefined ? '—' : `${Math.round(m.changeFailureRate * 100)} %`],
    ['Time to restore', duration(m.timeToRestoreSeconds)],
  ];
  return `<p class="muted">${esc(m.environment)}, last ${esc(m.windowDays)} days</p><table class="kv">${rows
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join('')}</table>`;
}

function scorecard(service: ServiceInfo): string {
  const sc = service.scorecard;
  if (!sc) return '<p class="muted">This platform keeps no scorecard.</p>';
  const failing = sc.results.filter((r) => !r.passed);
  const row = (r: ScorecardResult) => {
    const docs = r.docsUrl && safeUrl(r.docsUrl) ? ` <a href="#" data-url="${esc(safeUrl(r.docsUrl))}">docs</a>` : '';
    return `<li class="sev-${esc(r.severity)}"><span class="tag">${esc(r.severity)}</span> <code>${esc(r.ruleId)}</code> ${esc(r.message)}${docs}</li>`;
  };
  const waived = (sc.waived ?? [])
    .map((w) => `<li class="sev-info"><span class="tag">waived</span> <code>${esc(w.ruleId)}</code> until ${esc(w.expires)}: ${esc(w.reason)}${w.approvedBy ? ` (approved by ${esc(w.approvedBy)})` : ''}</li>`)
    .join('');
  return `<p><span class="score">${esc(sc.score)}</span> / 100 · ${esc(sc.results.length - failing.length)} of ${esc(sc.results.length)} policies pass</p>${
    failing.length ? `<h3>Failing policies</h3><ul class="policies">${failing.map(row).join('')}</ul>` : '<p class="ok">Every policy passes.</p>'
  }${waived ? `<h3>Waived policies</h3><ul class="policies">${waived}</ul>` : ''}`;
}

/** A manifest value as text when it is a scalar (objects and arrays are not shown as "[object Object]"). */
function scalar(v: unknown): string | undefined {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

function slos(manifest: Record<string, unknown>): string[] {
  const spec = manifest.spec as { slos?: unknown } | undefined;
  const list = Array.isArray(spec?.slos) ? spec.slos : [];
  return list.map((s) => {
    const o = (s ?? {}) as { name?: unknown; objective?: unknown; window?: unknown };
    return `<li><strong>${esc(scalar(o.name) ?? 'SLO')}</strong> ${esc(scalar(o.objective) ?? '?')} % over ${esc(scalar(o.window) ?? '?')}</li>`;
  });
}

function environments(data: DetailsData): string {
  const s = data.service;
  const byEnv = new Map<string, Deployment[]>();
  for (const d of data.deployments) byEnv.set(d.environment, [...(byEnv.get(d.environment) ?? []), d]);
  const envNames = new Set([...s.environments.map((e) => e.environment), ...byEnv.keys()]);
  const status = Object.fromEntries(s.environments.map((e) => [e.environment, e.state]));
  for (const e of envNames) status[e] ??= 'not-deployed';
  const ordered = orderedEnvironments(status);
  if (ordered.length === 0) return `<p class="muted">Not deployed anywhere yet.${data.canDeploy ? ' Deploy it with “Paved: Deploy”.' : ''}</p>${data.deployNote ? `<p class="muted deploy-note">${esc(data.deployNote)}</p>` : ''}`;
  return ordered
    .map(([env, state]) => {
      const e = s.environments.find((x) => x.environment === env);
      const url = e?.url ? safeUrl(e.url) : undefined;
      const head = `<h3><span class="dot ${STATE_CLASS[state]}"></span>${esc(env)} <span class="state ${STATE_CLASS[state]}">${esc(state)}</span>${
        e?.release ? ` <code>${esc(e.release)}</code>` : ''
      }${url ? ` <a href="#" data-url="${esc(url)}">${esc(url)}</a>` : ''}</h3>`;
      const history = byEnv.get(env) ?? [];
      const rows = history
        .map(
          (d) =>
            `<tr><td><span class="state ${deploymentClass(d.state)}">${esc(d.state)}</span></td><td>${esc(d.kind)}</td><td><code>${esc(
              d.release ?? '—',
            )}</code></td><td>${esc(d.createdAt)}</td><td>${esc(d.error ?? '')}</td></tr>`,
        )
        .join('');
      return `<div class="env">${head}${
        rows ? `<table class="history"><tr><th>State</th><th>Kind</th><th>Release</th><th>Created</th><th>Note</th></tr>${rows}</table>` : ''
      }</div>`;
    })
    .join('');
}

/** Versions, what changed (each newer version's changelog, as text) and the Upgrade action, or why there is none. */
export function goldenPathSection(g: GoldenPathInfo, inWorkspace: boolean): string {
  const d = g.drift;
  const state = d.updateAvailable
    ? `<p><strong>${esc(d.template)} ${esc(d.current)}</strong> → <strong>${esc(d.latest)}</strong> available.</p>`
    : `<p><strong>${esc(d.template)} ${esc(d.current)}</strong>${d.latest ? ' — up to date.' : ` — ${esc(g.platform)} does not publish this golden path.`}</p>`;
  const changes = g.newer
    .map((v) => `<h3>${esc(v.version)}</h3>${v.changelog ? `<pre class="changelog">${esc(v.changelog)}</pre>` : '<p class="muted">No changelog.</p>'}`)
    .join('');
  let action = '';
  if (d.updateAvailable && !g.canUpgrade) action = `<p class="muted">Upgrading needs a Paved platform: ${esc(g.platform)} keeps only the current version of a template.</p>`;
  else if (d.updateAvailable && !inWorkspace) action = '<p class="muted">Open the service\'s folder in VS Code to upgrade it.</p>';
  else if (d.updateAvailable) action = `<p class="actions"><a href="#" data-action="upgrade">Upgrade to ${esc(d.latest)}…</a></p>`;
  return state + action + changes;
}

export function renderDetails(data: DetailsData, ctx: RenderContext): string {
  const s = data.service;
  const facts: [string, string | undefined][] = [
    ['Owner', s.owner],
    ['System', s.system],
    ['Lifecycle', s.lifecycle],
    ['Kind', s.kind],
    ['Source', s.source === 'workspace' ? `workspace (${s.manifestKind})` : s.source],
    ['Golden path', s.goldenPath ? `${s.goldenPath.template} ${s.goldenPath.version}` : undefined],
    ['Tags', s.tags.length ? s.tags.join(', ') : undefined],
  ];
  const body = [
    `<header><h1>${esc(s.title ?? s.name)} <code>${esc(s.name)}</code></h1>${s.description ? `<p>${esc(s.description)}</p>` : ''}
<p class="actions"><a href="#" data-action="manifest">Open manifest</a> · <a href="#" data-action="refresh">Refresh</a> · <a href="#" data-action="copy">Copy reference</a></p></header>`,
    section(
      'Overview',
      `<table class="kv">${facts
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
        .join('')}</table>`,
      'overview',
    ),
    ...(data.goldenPath ? [section('Golden path', goldenPathSection(data.goldenPath, s.manifestPath !== undefined), 'golden-path')] : []),
    section('Links', list(s.links.map(linkTag), 'No links.'), 'links'),
    section('Environments and deployments', environments(data), 'environments'),
    section(
      'Dependencies',
      `<h3>Depends on</h3>${list(s.dependsOn.map(refTag), 'Nothing.')}<h3>Used by</h3>${list(
        s.dependents.map((d) => refTag(d)),
        'No service depends on this one.',
      )}`,
      'dependencies',
    ),
    section(
      'APIs',
      `<h3>Provides</h3>${list(s.apis.provides.map((a) => `<li><code>${esc(a)}</code></li>`), 'None.')}<h3>Consumes</h3>${list(
        s.apis.consumes.map((a) => `<li><code>${esc(a)}</code></li>`),
        'None.',
      )}`,
      'apis',
    ),
    ...(data.operations ? [section('Health and SLOs', renderOperations(data.operations, s.links), 'operations')] : []),
    section('SLOs', list(slos(s.manifest), 'No SLO declared.'), 'slos'),
    section('DORA metrics', metrics(s.metrics), 'metrics'),
    section('Scorecard', scorecard(s), 'scorecard'),
    `<footer class="muted">From ${esc(ctx.platform)} at ${esc(data.fetchedAt)}</footer>`,
  ].join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${esc(contentSecurityPolicy(ctx))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${esc(ctx.styleUri)}">
${ctx.chartStyleUri ? `<link rel="stylesheet" href="${esc(ctx.chartStyleUri)}">` : ''}
<title>${esc(s.name)}</title>
</head>
<body data-service="${esc(s.ref)}">
${body}
<script nonce="${esc(ctx.nonce)}" src="${esc(ctx.scriptUri)}"></script>
${ctx.chartScriptUri && data.operations?.histories.length ? `<script nonce="${esc(ctx.nonce)}" src="${esc(ctx.chartScriptUri)}"></script>` : ''}
</body>
</html>`;
}

/** The page shown while loading or when the service cannot be loaded (message escaped). */
export function renderMessage(title: string, message: string, ctx: RenderContext, retry: boolean): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${esc(contentSecurityPolicy(ctx))}">
<link rel="stylesheet" href="${esc(ctx.styleUri)}">
<title>${esc(title)}</title>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="message">${esc(message)}</p>
${retry ? '<p><a href="#" data-action="refresh">Retry</a></p>' : ''}
<script nonce="${esc(ctx.nonce)}" src="${esc(ctx.scriptUri)}"></script>
</body>
</html>`;
}
