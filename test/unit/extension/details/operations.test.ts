import * as assert from 'node:assert/strict';
import type { EnvironmentHealth, HealthHistory, ServiceStatus, SloStatus } from '../../../../src/core/api/operations';
import type { Link } from '../../../../src/core/api/types';
import { renderOperations } from '../../../../src/extension/details/operations';

const health = (over: Partial<EnvironmentHealth> = {}): EnvironmentHealth => ({
  environment: 'local',
  state: 'healthy',
  since: '2026-12-04T10:00:00Z',
  release: 'r-abc',
  releaseNumber: 7,
  url: 'http://127.0.0.1:41001',
  healthPath: '/healthz',
  intervalSeconds: 5,
  timeoutSeconds: 2,
  failureThreshold: 3,
  consecutiveFailures: 0,
  ...over,
});

const slo = (over: Partial<SloStatus> = {}): SloStatus => ({
  name: 'availability',
  indicator: 'availability',
  objective: 99,
  window: '1h',
  windowSeconds: 3600,
  basis: 'probes',
  measured: true,
  value: 99.5,
  good: 199,
  total: 200,
  errorBudgetRemaining: 0.5,
  burnRate: 0.5,
  coverage: 1,
  met: true,
  ...over,
});

function status(over: Partial<ServiceStatus['environments'][number]>[] = [{}]): ServiceStatus {
  return {
    service: 'orders',
    basis: 'probes',
    note: 'Measured from the platform’s own health checks, not from user traffic.',
    environments: over.map((o) => ({ environment: 'local', state: 'running', release: 'r-abc', url: 'http://127.0.0.1:41001', health: health(), slos: [slo()], ...o })),
  };
}

const history = (environment = 'local'): HealthHistory => ({
  service: 'orders',
  environment,
  buckets: [
    { start: '2026-12-04T10:00:00Z', seconds: 60, probes: 12, ok: 12, meanLatencyMs: 3 },
    { start: '2026-12-04T10:01:00Z', seconds: 60, probes: 12, ok: 6, meanLatencyMs: 9 },
    { start: '2026-12-04T10:02:00Z', seconds: 60, probes: 0, ok: 0 },
  ],
  changes: [],
});

describe('details panel: health and SLOs', () => {
  it('shows per running environment its health in words, the probe rule, the actions, the chart data and each SLO with its budget', () => {
    const html = renderOperations({ status: status(), histories: [history()] }, []);
    assert.match(html, /✓ healthy: it answers its health check<\/span> since 2026-12-04T10:00:00Z/);
    assert.match(html, /r7 <code>r-abc<\/code> at http:\/\/127\.0\.0\.1:41001\/ · GET \/healthz every 5 s, unhealthy after 3 failures in a row, not restarted automatically/);
    for (const action of ['logs', 'openService', 'restart', 'stop']) assert.ok(html.includes(`data-action="${action}" data-env="local"`), action);
    const series = /data-series="([^"]*)"/.exec(html)?.[1].replace(/&quot;/g, '"');
    assert.deepEqual(JSON.parse(series ?? 'null'), [
      [Date.parse('2026-12-04T10:00:00Z') / 1000, 100, 3],
      [Date.parse('2026-12-04T10:01:00Z') / 1000, 50, 9],
      [Date.parse('2026-12-04T10:02:00Z') / 1000, null, null],
    ]);
    assert.match(html, /99\.500 % <span class="ok">✓ met<\/span> <span class="muted">\(199\/200 probes\)<\/span>/);
    assert.match(html, /<meter [^>]*value="50\.0"[^>]*><\/meter> 50 %/);
    assert.match(html, /not from user traffic/);
  });

  it('says what it could not measure, what missed, a stopped environment offers no Stop, no URL no Open Service', () => {
    const html = renderOperations(
      {
        status: status([
          { health: health({ state: 'unhealthy', lastError: 'HTTP 500', restartAfterSeconds: 30, automaticRestarts: 2 }), slos: [slo({ met: false, value: 90, errorBudgetRemaining: -9 }), slo({ name: 'fast', indicator: 'latency', measured: false, reason: 'no thresholdMs declared', value: undefined })] },
          { environment: 'staging', state: 'stopped', url: undefined, health: undefined, slos: [] },
        ]),
        histories: [],
      },
      [],
    );
    assert.match(html, /✗ unhealthy: it keeps failing its health check<\/span> since [^—]+— <span class="bad">HTTP 500<\/span>/);
    assert.match(html, /restarted after 30 s unhealthy \(2 automatic restarts\)/);
    assert.match(html, /✗ missed/);
    assert.match(html, /value="0\.0"/, 'an overspent budget shows an empty meter');
    assert.match(html, /not measured: no thresholdMs declared/);
    const staging = html.slice(html.indexOf('data-environment="staging"'));
    assert.ok(!staging.includes('data-action="stop"') && !staging.includes('data-action="openService"'));
    assert.match(staging, /■ stopped/);
    assert.match(html, /No probe history yet/);
  });

  it('escapes every platform value', () => {
    const html = renderOperations({ status: status([{ environment: 'local', health: health({ state: 'degraded', lastError: '<img src=x onerror=alert(1)>', healthPath: '/"><script>' }) }]), histories: [] }, []);
    assert.ok(!html.includes('<img') && !html.includes('<script'), html);
    assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
  });

  it('without live operations: why, and the catalog’s dashboard and runbook links (safe URLs only)', () => {
    const links: Link[] = [
      { url: 'https://grafana.example.com/d/orders', title: 'Dashboard', type: 'dashboard' },
      { url: 'javascript:alert(1)', title: 'Evil', type: 'runbook' },
      { url: 'https://wiki.example.com/orders', title: 'Runbook', type: 'runbook' },
      { url: 'https://example.com/repo', title: 'Repo', type: 'repo' },
    ];
    const html = renderOperations({ histories: [], note: 'Live logs, health, SLO status, restart and stop need a Paved platform; Backstage has none.' }, links);
    assert.match(html, /need a Paved platform; Backstage has none/);
    assert.ok(html.includes('data-url="https://grafana.example.com/d/orders"') && html.includes('data-url="https://wiki.example.com/orders"'));
    assert.ok(!html.includes('javascript:') && !html.includes('example.com/repo'));
    assert.match(renderOperations({ histories: [] }, []), /links no dashboard or runbook/);
  });

  it('a service that runs nowhere says how to see its health', () => {
    assert.match(renderOperations({ status: status([{ state: 'not-deployed', health: undefined }]), histories: [] }, []), /runs nowhere yet/);
  });
});
