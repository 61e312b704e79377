/**
 * The day-two section of the details panel (pure HTML, every platform value escaped): per running environment its
 * health (mark and word, since when, the last error, the probe rule), actions (Show Logs, Open Service, Restart, Stop),
 * a small chart of the probe history (drawn by the webview's chart script from `data-series`), and each SLO measured
 * from the probes with its error budget as a meter. Without live operations (Backstage): the catalog's dashboard and
 * runbook links, and that live operations need a Paved platform.
 */
import type { EnvironmentOperations, HealthHistory, ServiceStatus, SloStatus } from '../../core/api/operations';
import type { Link } from '../../core/api/types';
import { environmentMark, environmentWords, HEALTH_MEANING } from '../ui/health';
import { esc, safeUrl } from './html';

export interface OperationsData {
  /** Absent: the platform has no live operations (`note` says so). */
  status?: ServiceStatus;
  /** Probe history of the running environments. */
  histories: HealthHistory[];
  note?: string;
}

const HEALTH_CLASS = { healthy: 'ok', degraded: 'warn', unhealthy: 'bad', unknown: 'muted' } as const;

function pct(n: number | undefined, digits = 2): string {
  return n === undefined ? '—' : `${n.toFixed(digits)} %`;
}

function sloRow(s: SloStatus): string {
  const target = `${s.objective} % over ${s.window}${s.indicator === 'latency' && s.thresholdMs ? `, under ${s.thresholdMs} ms` : ''}`;
  if (!s.measured) return `<tr><th>${esc(s.name)}</th><td>${esc(target)}</td><td colspan="3" class="muted">not measured: ${esc(s.reason ?? '')}</td></tr>`;
  const budget = s.errorBudgetRemaining ?? 0;
  const meter = `<meter min="0" max="100" low="25" high="50" optimum="100" value="${esc(Math.max(0, Math.min(100, budget * 100)).toFixed(1))}" title="error budget left"></meter> ${esc(Math.round(budget * 100))} %`;
  const met = s.met ? '<span class="ok">✓ met</span>' : '<span class="bad">✗ missed</span>';
  return `<tr><th>${esc(s.name)}</th><td>${esc(target)}</td><td>${esc(pct(s.value, 3))} ${met} <span class="muted">(${esc(s.good)}/${esc(s.total)} probes${s.coverage < 1 ? `, ${esc(Math.round(s.coverage * 100))} % of the window` : ''})</span></td><td>${meter}</td><td>${s.burnRate === undefined ? '—' : `${esc(s.burnRate)}×`}</td></tr>`;
}

function chart(h: HealthHistory | undefined): string {
  if (!h || h.buckets.length === 0) return '<p class="muted">No probe history yet.</p>';
  // [epoch seconds, availability %, mean latency ms] per bucket; the chart script draws it with uPlot.
  const series = h.buckets.map((b) => [Math.round(Date.parse(b.start) / 1000), b.probes ? Math.round((b.ok / b.probes) * 10000) / 100 : null, b.meanLatencyMs ?? null]);
  return `<div class="health-chart" role="img" aria-label="${esc(`Probe history of ${h.environment}: share of successful health checks and their latency`)}" data-series="${esc(JSON.stringify(series))}"></div>`;
}

function environment(e: EnvironmentOperations, history: HealthHistory | undefined): string {
  const h = e.health;
  const mark = environmentMark(e.state, h?.state);
  const cls = h ? HEALTH_CLASS[h.state] : e.state === 'failed' ? 'bad' : 'muted';
  const url = e.url ? safeUrl(e.url) : undefined;
  const env = esc(e.environment);
  const actions = [
    `<a href="#" data-action="logs" data-env="${env}">Show Logs</a>`,
    ...(url ? [`<a href="#" data-action="openService" data-env="${env}">Open Service</a>`] : []),
    `<a href="#" data-action="restart" data-env="${env}">Restart</a>`,
    ...(e.state === 'running' ? [`<a href="#" data-action="stop" data-env="${env}">Stop</a>`] : []),
  ].join(' · ');
  const facts = h
    ? `<p><span class="state ${cls}">${esc(mark)} ${esc(h ? HEALTH_MEANING[h.state] : '')}</span> since ${esc(h.since)}${h.lastError && h.state !== 'healthy' ? ` — <span class="bad">${esc(h.lastError)}</span>` : ''}</p>
<p class="muted">${h.releaseNumber ? `r${esc(h.releaseNumber)} ` : ''}<code>${esc(h.release)}</code>${url ? ` at ${esc(url)}` : ''} · GET ${esc(h.healthPath)} every ${esc(h.intervalSeconds)} s, unhealthy after ${esc(h.failureThreshold)} failures in a row, ${h.restartAfterSeconds ? `restarted after ${esc(h.restartAfterSeconds)} s unhealthy` : 'not restarted automatically'}${h.automaticRestarts ? ` (${esc(h.automaticRestarts)} automatic restarts)` : ''}</p>`
    : `<p><span class="state ${cls}">${esc(mark)} ${esc(environmentWords(e.state, undefined))}</span>${e.release ? ` <code>${esc(e.release)}</code>` : ''}</p>`;
  const slos = e.slos.length ? `<table class="slos"><tr><th>SLO</th><th>Objective</th><th>Measured</th><th>Error budget left</th><th>Burn rate (1 h)</th></tr>${e.slos.map(sloRow).join('')}</table>` : '<p class="muted">No SLO declared (spec.slos).</p>';
  return `<div class="env ops" data-environment="${env}"><h3>${env}</h3>${facts}<p class="actions">${actions}</p>${h ? chart(history) : ''}${slos}</div>`;
}

export function renderOperations(data: OperationsData, links: readonly Link[]): string {
  if (!data.status) {
    const useful = links.filter((l) => l.type === 'dashboard' || l.type === 'runbook').map((l) => ({ l, url: safeUrl(l.url) }));
    const list = useful.map(({ l, url }) => (url ? `<li><span class="tag">${esc(l.type)}</span> <a href="#" data-url="${esc(url)}">${esc(l.title ?? l.url)}</a></li>` : '')).join('');
    return `<p class="muted">${esc(data.note ?? 'Live logs, health, SLO status, restart and stop need a Paved platform.')}</p>${list ? `<ul>${list}</ul>` : '<p class="muted">The catalog links no dashboard or runbook for it.</p>'}`;
  }
  const envs = data.status.environments.filter((e) => e.state !== 'not-deployed');
  if (envs.length === 0) return '<p class="muted">It runs nowhere yet: deploy it to see its health, SLOs and logs.</p>';
  const byEnv = new Map(data.histories.map((h) => [h.environment, h]));
  return `${envs.map((e) => environment(e, byEnv.get(e.environment))).join('')}<p class="muted basis">${esc(data.status.note)}</p>`;
}
