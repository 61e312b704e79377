// The details panel's probe-history charts: every `.health-chart[data-series]` holds
// [[epoch seconds, share of successful probes in %, mean latency in ms], …]; drawn with uPlot in the theme's colours.
// @ts-check
import uPlot from 'uplot';
import { chartWidth, themeColor, themedAxis } from './theme.js';

function draw(el) {
  let rows;
  try {
    rows = JSON.parse(el.getAttribute('data-series') || '[]');
  } catch {
    return;
  }
  if (!Array.isArray(rows) || rows.length === 0) return;
  const data = [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])];
  const ok = themeColor('charts-green', '#3c3');
  const latency = themeColor('charts-blue', '#39f');
  /** @type {any} */
  const opts = {
    width: chartWidth(el),
    height: 140,
    scales: { x: { time: true }, pct: { range: [0, 100] }, ms: { range: (_u, _min, max) => [0, Math.max(10, (max || 0) * 1.2)] } },
    series: [
      {},
      { label: 'Health checks passed', scale: 'pct', stroke: ok, width: 2, value: (_u, v) => (v == null ? '—' : `${v} %`) },
      { label: 'Latency', scale: 'ms', stroke: latency, width: 1, dash: [4, 3], value: (_u, v) => (v == null ? '—' : `${Math.round(v)} ms`) },
    ],
    axes: [themedAxis({}), themedAxis({ scale: 'pct', values: (_u, ticks) => ticks.map((t) => `${t} %`) }), themedAxis({ scale: 'ms', side: 1, grid: { show: false }, values: (_u, ticks) => ticks.map((t) => `${t} ms`) })],
  };
  el.textContent = '';
  new uPlot(opts, data, el);
  el.setAttribute('data-drawn', 'true');
}

document.querySelectorAll('.health-chart[data-series]').forEach(draw);
