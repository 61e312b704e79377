// The Platform Insights dashboard (webview). The extension posts {type:'data', ...} with the platform's sections; this
// draws the weekly trends with uPlot (theme colours via ./theme.js), the lists as tables, and every number that stands
// for services as a button that opens them. Posts back {type:'rendered', numbers, team, links, feedback} so tests read
// what is shown. Every control has a name (`data-act`); {type:'act', name, value} from the extension clicks it or
// chooses in it as a user would (integration tests), answered by {type:'acted'}.
// @ts-check
import uPlot from 'uplot';
import { chartWidth, themeColor, themedAxis } from './theme.js';

// @ts-ignore provided by VS Code in webviews
const vscode = acquireVsCodeApi();
const root = /** @type {HTMLElement} */ (document.getElementById('root'));

/** @param {string} tag @param {Record<string, string>} [attrs] @param {(Node|string)[]} [kids] */
function h(tag, attrs = {}, kids = []) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const k of kids) el.append(k);
  return el;
}
const pct = (v) => (v === undefined || v === null ? '–' : `${Math.round(v * 100)} %`);
function dur(s) {
  if (s === undefined || s === null) return '–';
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} d`;
}
/** The numbers that open services in the current rendering: control name → services. */
let links = {};
/**
 * A number that opens the services behind it (a keyboard-focusable button named `name`).
 * @param {string|number} text @param {string[]} [services] @param {string} [name]
 */
function num(text, services, name) {
  if (!services || services.length === 0 || !name) return h('span', { class: 'num' }, [String(text)]);
  links[name] = services;
  const b = h('button', { class: 'num link', 'data-act': name, title: `Open ${services.slice(0, 10).join(', ')}${services.length > 10 ? ', …' : ''}` }, [String(text)]);
  b.addEventListener('click', () => vscode.postMessage({ type: 'open', services }));
  return b;
}
function table(head, rows) {
  return h('table', {}, [h('thead', {}, [h('tr', {}, head.map((x) => h('th', { scope: 'col' }, [x])))]), h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, [c])))))]);
}
function chart(title, x, series) {
  const el = h('div', { class: 'chart', role: 'img', 'aria-label': title });
  const box = h('figure', {}, [h('figcaption', {}, [title]), el]);
  requestAnimationFrame(() => {
    const colors = [themeColor('charts-blue', '#39f'), themeColor('charts-red', '#e55'), themeColor('charts-orange', '#e90')];
    /** @type {any} */
    const opts = { width: chartWidth(el), height: 160, scales: { x: { time: true } }, series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: colors[i % colors.length], width: 2, scale: s.scale || 'y' }))], axes: [themedAxis({}), themedAxis({})] };
    new uPlot(opts, [x, ...series.map((s) => s.values)], el);
    el.setAttribute('data-drawn', 'true');
  });
  return box;
}
function section(id, title, body) {
  return h('section', { id, 'aria-labelledby': `${id}-h` }, [h('h2', { id: `${id}-h` }, [title]), ...body]);
}
function unsupported(id, title, why) {
  return section(id, title, [h('p', { class: 'note' }, [why])]);
}

function render(d) {
  root.textContent = '';
  links = {};
  const numbers = {};
  /** @type {Record<string, string>} */
  const feedback = {};
  // The team is what the picker shows, so a view whose picker disagrees with its numbers is caught.
  const rendered = () => vscode.postMessage({ type: 'rendered', numbers, team: /** @type {HTMLSelectElement} */ (select).value || undefined, links, feedback });
  const bar = h('div', { class: 'bar' });
  const select = h('select', { 'aria-label': 'Team', 'data-act': 'team' }, [h('option', { value: '' }, ['All teams']), ...d.teams.map((t) => h('option', t === d.team ? { value: t, selected: '' } : { value: t }, [t]))]);
  select.addEventListener('change', () => vscode.postMessage({ type: 'team', team: /** @type {HTMLSelectElement} */ (select).value || undefined }));
  const refresh = h('button', { 'data-act': 'refresh' }, ['Refresh']);
  refresh.addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
  bar.append(h('label', {}, ['Team ', select]), refresh, h('span', { class: 'meta' }, [`${d.platform} · ${d.since.slice(0, 10)} – ${d.until.slice(0, 10)}${d.sample ? ' · SAMPLE DATA' : ''}`]));
  root.append(h('h1', {}, ['Platform Insights']), bar);
  if (d.error) root.append(h('p', { class: 'error', role: 'alert' }, [d.error]));
  const s = d.sections;
  if (!s) {
    for (const [id, t] of [['delivery', 'Delivery (DORA)'], ['adoption', 'Adoption'], ['onboarding', 'Onboarding time'], ['compliance', 'Compliance'], ['feedback', 'Feedback']]) root.append(unsupported(id, t, d.unsupported || 'Not available.'));
    rendered();
    return;
  }
  const dl = s.delivery;
  const t = dl.total;
  numbers.deployments = t.deployments;
  numbers.changeFailRate = t.changeFailRate;
  numbers.reworkRate = t.reworkRate;
  const x = dl.weeks.map((w) => Date.parse(w.weekStart) / 1000);
  root.append(
    section('delivery', `Delivery in ${dl.environment} (DORA)`, [
      h('div', { class: 'tiles' }, [
        tile('Deployments', num(t.deployments, d.deliveryServices, 'deployments'), `${t.deploymentsPerDay.toFixed(2)} a day`),
        tile('Change lead time', num(dur(t.changeLeadTime.medianSeconds)), `p90 ${dur(t.changeLeadTime.p90Seconds)} · from release snapshot`),
        tile('Change fail rate', num(pct(t.changeFailRate), d.failingServices, 'changeFailRate'), `${t.failedChanges} of ${t.changes}`),
        tile('Recovery time', num(dur(t.recoveryTime.medianSeconds)), `p90 ${dur(t.recoveryTime.p90Seconds)} · ${t.unrecovered} unrecovered`),
        tile('Rework rate', num(pct(t.reworkRate)), `${t.reworkDeployments} of ${t.allDeployments}`),
      ]),
      chart('Deployments per week', x, [{ label: 'Deployments', values: dl.weeks.map((w) => w.deployments) }]),
      chart('Change fail rate and rework rate per week (%)', x, [
        { label: 'Change fail rate', values: dl.weeks.map((w) => (w.changeFailRate === undefined ? null : Math.round(w.changeFailRate * 100))) },
        { label: 'Rework rate', values: dl.weeks.map((w) => (w.reworkRate === undefined ? null : Math.round(w.reworkRate * 100))) },
      ]),
      table(['Team', 'Services', 'Deployments', 'Lead time', 'Fail rate', 'Recovery', 'Rework'], dl.teams.map((r) => [r.team, String(r.services), String(r.deployments), dur(r.changeLeadTime.medianSeconds), pct(r.changeFailRate), dur(r.recoveryTime.medianSeconds), pct(r.reworkRate)])),
    ]),
  );
  const ad = s.adoption;
  numbers.onGoldenPath = ad.goldenPaths.onGoldenPath;
  numbers.services = ad.goldenPaths.total;
  numbers.offPavedRoad = ad.goldenPaths.offPavedRoad.count;
  root.append(
    section('adoption', 'Golden-path adoption', [
      h('p', {}, [`${ad.goldenPaths.onGoldenPath} of ${ad.goldenPaths.total} services on a golden path; `, num(ad.goldenPaths.offPavedRoad.count, ad.goldenPaths.offPavedRoad.services, 'offPavedRoad'), ' on none.']),
      table(['Golden path', 'Version', 'Services'], ad.goldenPaths.templates.flatMap((tp) => tp.versions.map((v) => [tp.id, v.version + (v.version === tp.latest ? ' (latest)' : ''), String(v.services)]))),
      table(['Month', 'New services', 'From a golden path', 'Tasks started', 'Succeeded', 'In catalog', 'Deployed'], ad.months.map((m) => [m.month, num(m.newServices, m.services, `newServices:${m.month}`), pct(m.goldenPathShare), String(m.tasks.started), String(m.tasks.succeeded), String(m.tasks.inCatalog), String(m.tasks.deployed)])),
    ]),
  );
  const ob = s.onboarding;
  root.append(
    section('onboarding', 'Onboarding time (scaffold → first healthy deployment)', [
      table(['Group', ...ob.environments], [ob.total, ...ob.months, ...ob.goldenPaths].map((g) => [g.key, ...ob.environments.map((e) => `${dur(g.environments[e].medianSeconds)} / p90 ${dur(g.environments[e].p90Seconds)} (${g.environments[e].count}, ${g.environments[e].pending} pending)`)])),
    ]),
  );
  const co = s.compliance;
  numbers.compliant = co.compliant;
  root.append(
    section('compliance', 'Compliance', [
      h('p', {}, [`${co.compliant} of ${co.services} services pass every mandatory rule (${pct(co.share)}).`]),
      chart('Services passing every mandatory rule per week (%)', co.trend.map((w) => Date.parse(w.weekStart) / 1000), [{ label: 'Compliant', values: co.trend.map((w) => (w.share === undefined ? null : Math.round(w.share * 100))) }]),
      table(['Rule', 'Mandatory', 'Passing', 'Waived', 'Failing'], co.rules.map((r) => [r.ruleId, r.mandatory ? 'yes' : 'no', `${r.passing}/${r.services} (${pct(r.share)})`, String(r.waived), num(r.failingServices.length, r.failingServices, `failing:${r.ruleId}`)])),
      table(['Waived service', 'Rule', 'Expires', 'Reason'], co.waivers.active.map((w) => [num(w.service, [w.service], `waiver:${w.service}:${w.rule}`), w.rule, `${w.expires} (${w.daysLeft} d)`, w.reason])),
    ]),
  );
  const fb = s.feedback;
  numbers.feedback = fb.total;
  numbers.feedbackNew = fb.byState.new;
  numbers.feedbackAcknowledged = fb.byState.acknowledged;
  numbers.feedbackDone = fb.byState.done;
  root.append(
    section('feedback', `Feedback (${fb.byState.new} new, ${fb.byState.acknowledged} acknowledged, ${fb.byState.done} done)`, [
      table(['When', 'State', 'Category', 'Service', 'From', 'Message'], fb.items.items.map((f) => [f.createdAt.slice(0, 16).replace('T', ' '), stateSelect(f, feedback), f.category || 'other', f.service ? num(f.service, [f.service], `feedbackService:${f.id}`) : '–', f.from || '–', f.message])),
    ]),
  );
  rendered();
}
function tile(label, value, sub) {
  return h('div', { class: 'tile' }, [h('div', { class: 'label' }, [label]), h('div', { class: 'value' }, [value]), h('div', { class: 'sub' }, [sub])]);
}
function stateSelect(f, shown) {
  shown[f.id] = f.state;
  const sel = h('select', { 'aria-label': `State of feedback ${f.id}`, 'data-act': `feedbackState:${f.id}` }, ['new', 'acknowledged', 'done'].map((s) => h('option', s === f.state ? { value: s, selected: '' } : { value: s }, [s])));
  sel.addEventListener('change', () => vscode.postMessage({ type: 'feedbackState', id: f.id, state: /** @type {HTMLSelectElement} */ (sel).value }));
  return sel;
}

/** Clicks the control named `name`, or chooses `value` in it, as a user would: its own listener posts the message. */
function act(name, value) {
  const el = [...root.querySelectorAll('[data-act]')].find((x) => x.getAttribute('data-act') === name);
  if (!el) return `the dashboard shows no control "${name}"`;
  if (el instanceof HTMLSelectElement) {
    if (![...el.options].some((o) => o.value === value)) return `"${name}" offers no "${value}"`;
    el.focus();
    el.value = String(value);
    el.dispatchEvent(new Event('change', { bubbles: true }));
  } else if (el instanceof HTMLElement) {
    el.focus();
    el.click();
  }
  return undefined;
}

window.addEventListener('message', (e) => {
  if (e.data && e.data.type === 'data') render(e.data);
  if (e.data && e.data.type === 'act') vscode.postMessage({ type: 'acted', seq: e.data.seq, error: act(e.data.name, e.data.value) });
});
vscode.postMessage({ type: 'ready' });
