import * as assert from 'node:assert/strict';
import type { Deployment } from '../../../../src/core/api/types';
import { contentSecurityPolicy, esc, renderDetails, renderMessage, safeUrl } from '../../../../src/extension/details/render';
import type { ServiceInfo } from '../../../../src/platform/backend';

const ctx = { cspSource: 'vscode-resource:', nonce: 'N0nce', styleUri: 'res://details.css', scriptUri: 'res://details.js', platform: 'Local platform' };

function info(over: Partial<ServiceInfo> = {}): ServiceInfo {
  return {
    ref: 'payments-api',
    name: 'payments-api',
    title: 'Payments API',
    description: 'Takes card payments.',
    owner: 'team-payments',
    system: 'checkout',
    lifecycle: 'production',
    tags: ['http'],
    source: 'workspace',
    status: { local: 'running' },
    manifest: { spec: { slos: [{ name: 'availability', objective: 99.9, window: '30d' }] } },
    manifestKind: 'paved.yaml',
    links: [{ url: 'https://wiki.example.com/runbook', title: 'Runbook', type: 'runbook' }],
    dependsOn: ['service:ledger', 'resource:payments-db'],
    dependents: ['checkout-web'],
    apis: { provides: ['payments-v1'], consumes: [] },
    environments: [{ environment: 'local', state: 'running', release: 'r-1', url: 'http://127.0.0.1:41001' }],
    scorecard: {
      score: 80,
      results: [
        { ruleId: 'has-owner', severity: 'error', passed: true, message: 'has an owner' },
        { ruleId: 'min-replicas', severity: 'warning', passed: false, message: 'needs 2 replicas', docsUrl: 'https://docs.example.com/r' },
      ],
    },
    metrics: { windowDays: 30, deploymentFrequencyPerDay: 0.5, deployments: 15, environment: 'production', changeFailureRate: 0.2, leadTimeSeconds: 3600 },
    ...over,
  };
}

const dep = (over: Partial<Deployment>): Deployment => ({ id: 'd1', service: 'payments-api', environment: 'local', kind: 'deploy', state: 'succeeded', createdAt: '2026-11-22T05:00:00Z', release: 'r-1', ...over });

describe('details rendering', () => {
  it('escapes HTML special characters', () => {
    assert.equal(esc(`<script>alert("x")</script> & 'y' \``), '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39; &#96;');
    assert.equal(esc(undefined), '');
    assert.equal(esc(42), '42');
  });

  it('accepts only http(s) and mailto links', () => {
    assert.equal(safeUrl('https://a.example/x?y=1'), 'https://a.example/x?y=1');
    assert.equal(safeUrl('javascript:alert(1)'), undefined);
    assert.equal(safeUrl('command:paved.signOut'), undefined);
    assert.equal(safeUrl('data:text/html,<b>'), undefined);
    assert.equal(safeUrl('not a url'), undefined);
  });

  it('builds a strict CSP: nothing by default, nonce scripts, resources from the webview source only', () => {
    assert.equal(
      contentSecurityPolicy(ctx),
      "default-src 'none'; style-src vscode-resource:; img-src vscode-resource:; font-src vscode-resource:; script-src 'nonce-N0nce'",
    );
  });

  it('renders every section with its data', () => {
    const html = renderDetails({ service: info(), deployments: [dep({}), dep({ id: 'd0', state: 'failed', error: 'health check failed' })], canDeploy: true, fetchedAt: 'T' }, ctx);
    for (const id of ['overview', 'links', 'environments', 'dependencies', 'apis', 'slos', 'metrics', 'scorecard']) assert.ok(html.includes(`<section id="${id}">`), id);
    assert.ok(html.includes('<a href="#" data-ref="ledger">service:ledger</a>'));
    assert.ok(html.includes('<li>resource:payments-db</li>'));
    assert.ok(html.includes('<a href="#" data-ref="checkout-web">checkout-web</a>'));
    assert.ok(html.includes('<a href="#" data-url="https://wiki.example.com/runbook" title="https://wiki.example.com/runbook">Runbook</a>'));
    assert.ok(html.includes('<strong>availability</strong> 99.9 % over 30d'));
    assert.ok(html.includes('<span class="score">80</span> / 100 · 1 of 2 policies pass'));
    assert.ok(html.includes('<code>min-replicas</code> needs 2 replicas'));
    assert.ok(!html.includes('<code>has-owner</code>'), 'passing policies are not listed as failing');
    assert.ok(html.includes('<td>20 %</td>'));
    assert.ok(html.includes('<td>60 min</td>'));
    assert.ok(html.includes('health check failed'));
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.ok(html.includes('<script nonce="N0nce" src="res://details.js"></script>'));
  });

  it('escapes every platform value, including hostile ones', () => {
    const evil = '"><img src=x onerror=alert(1)>';
    const html = renderDetails(
      {
        service: info({
          name: evil,
          title: evil,
          description: evil,
          owner: evil,
          tags: [evil],
          links: [{ url: 'javascript:alert(1)', title: evil }],
          dependsOn: [`service:${evil}`],
          dependents: [evil],
          apis: { provides: [evil], consumes: [evil] },
          environments: [{ environment: evil, state: 'failed', release: evil, url: evil }],
          manifest: { spec: { slos: [{ name: evil, objective: evil, window: { nested: true } }] } },
        }),
        deployments: [dep({ environment: evil, error: evil, release: evil })],
        canDeploy: true,
        fetchedAt: evil,
      },
      { ...ctx, platform: evil },
    );
    assert.ok(!html.includes('<img'), 'no injected element');
    assert.ok(!html.includes('javascript:'), 'no javascript: link');
    assert.ok(!html.includes('onerror=alert(1)>'), 'no raw attribute break-out');
    assert.ok(html.includes('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(html.includes('(not an http link)'));
    assert.ok(html.includes('over ?</li>'), 'non-scalar SLO values are not stringified');
  });

  it('renders the message page escaped, with Retry when asked', () => {
    const html = renderMessage('Cannot show <x>', 'The platform failed (HTTP 500) <b>', ctx, true);
    assert.ok(html.includes('<h1>Cannot show &lt;x&gt;</h1>'));
    assert.ok(html.includes('<p class="message">The platform failed (HTTP 500) &lt;b&gt;</p>'));
    assert.ok(html.includes('data-action="refresh">Retry</a>'));
    assert.ok(!renderMessage('a', 'b', ctx, false).includes('Retry'));
  });

  it('lists waived policies apart from failing ones, escaped', () => {
    const base = info();
    const scorecard = { ...base.scorecard!, waived: [{ ruleId: 'production-replicas', severity: 'error' as const, message: 'two replicas', reason: 'one <box>', expires: '2027-01-31', approvedBy: 'jane' }] };
    const html = renderDetails({ service: info({ scorecard }), deployments: [], canDeploy: false, fetchedAt: 'T' }, ctx);
    assert.ok(html.includes('<h3>Waived policies</h3><ul class="policies"><li class="sev-info"><span class="tag">waived</span> <code>production-replicas</code> until 2027-01-31: one &lt;box&gt; (approved by jane)</li></ul>'), html);
    assert.ok(!renderDetails({ service: base, deployments: [], canDeploy: false, fetchedAt: 'T' }, ctx).includes('Waived policies'));
  });

  it('says when there are no metrics or scorecard (Backstage)', () => {
    const html = renderDetails({ service: info({ metrics: undefined, scorecard: undefined, environments: [] }), deployments: [], canDeploy: false, fetchedAt: 'T' }, ctx);
    assert.ok(html.includes('This platform reports no DORA metrics.'));
    assert.ok(html.includes('This platform keeps no scorecard.'));
    assert.ok(html.includes('Not deployed anywhere yet.</p>'));
  });
});

describe('details panel: the golden path section', () => {
  const drift = { template: 'node-http-service', current: '1.2.0', latest: '1.3.0', updateAvailable: true, text: '1.2.0 → 1.3.0' };
  const newer = [{ version: '1.3.0', title: 'Node', description: 'd', changelog: '- Graceful <shutdown>' }];

  it('shows the versions, the changelog (escaped) and the Upgrade action when the platform can upgrade', () => {
    const html = renderDetails({ service: info({ manifestPath: '/w/payments-api/paved.yaml' }), deployments: [], canDeploy: true, fetchedAt: 't', goldenPath: { drift, newer, canUpgrade: true, platform: 'Local platform' } }, ctx);
    assert.match(html, /<strong>node-http-service 1\.2\.0<\/strong> → <strong>1\.3\.0<\/strong> available/);
    assert.match(html, /<a href="#" data-action="upgrade">Upgrade to 1\.3\.0…<\/a>/);
    assert.match(html, /<pre class="changelog">- Graceful &lt;shutdown&gt;<\/pre>/);
  });

  it('says plainly that Backstage cannot upgrade, and that a service outside the workspace must be opened first', () => {
    const backstage = renderDetails({ service: info(), deployments: [], canDeploy: false, fetchedAt: 't', goldenPath: { drift, newer: [], canUpgrade: false, platform: 'Backstage (https://b)' } }, ctx);
    assert.match(backstage, /Upgrading needs a Paved platform: Backstage \(https:\/\/b\) keeps only the current version of a template/);
    assert.doesNotMatch(backstage, /data-action="upgrade"/);
    const remote = renderDetails({ service: info({ manifestPath: undefined }), deployments: [], canDeploy: true, fetchedAt: 't', goldenPath: { drift, newer, canUpgrade: true, platform: 'P' } }, ctx);
    assert.match(remote, /Open the service's folder in VS Code to upgrade it/);
    const current = renderDetails({ service: info(), deployments: [], canDeploy: true, fetchedAt: 't', goldenPath: { drift: { ...drift, current: '1.3.0', updateAvailable: false, text: '1.3.0' }, newer: [], canUpgrade: true, platform: 'P' } }, ctx);
    assert.match(current, /node-http-service 1\.3\.0<\/strong> — up to date/);
  });
});
