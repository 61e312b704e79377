import * as assert from 'node:assert/strict';
import type { ClaimStatus } from '../../../../src/core/api/types';
import { renderClaims } from '../../../../src/extension/details/claims';
import { serviceTooltip } from '../../../../src/extension/catalog/presentation';

const claim = (over: Partial<ClaimStatus>): ClaimStatus => ({
  service: 'notes',
  claim: 'db',
  environment: 'staging',
  type: 'postgres',
  class: 'small',
  state: 'ready',
  resourceId: 'notes.staging.db',
  outputs: { host: '127.0.0.1', port: '44001', password: '********', url: '********' },
  secretOutputs: ['password', 'url'],
  ...over,
});

describe('details panel: the Resources section; catalog tooltip: claims', () => {
  it('one row per claim and environment in promotion order, outputs shown but secret ones only named, actions by state', () => {
    const html = renderClaims({
      claims: [claim({ environment: 'production', state: 'pending', outputs: {}, reason: 'provisioned by the next deployment to production' }), claim({}), claim({ claim: 'files', type: 'volume', class: 'standard', environment: 'local', state: 'orphaned', outputs: { path: '/s/data' }, secretOutputs: [], reason: 'no longer claimed' })],
      canAdd: true,
    });
    const rows = [...html.matchAll(/data-claim-row="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(rows, ['db/staging', 'db/production', 'files/local']);
    assert.match(html, /host <code>127\.0\.0\.1<\/code> · port <code>44001<\/code> · password, url: secret/);
    assert.equal(html.includes('********'), false, 'a masked value is not even shown masked');
    assert.match(html, /data-action="copyConnection" data-claim="db" data-environment="staging"/);
    assert.match(html, /data-action="releaseClaim" data-claim="files" data-environment="local"/);
    assert.equal((html.match(/data-action="copyConnection"/g) ?? []).length, 1, 'only a ready claim copies');
    assert.match(html, /data-action="addResource"/);
    assert.match(html, /provisioned by the next deployment to production/);
  });

  it('escapes what the platform sends; says why when the platform has no resources; offers Add resource… only when it can', () => {
    assert.match(renderClaims({ claims: [claim({ claim: '<b>x', reason: '"><script>' })], canAdd: false }), /&lt;b&gt;x[\s\S]*&quot;&gt;&lt;script&gt;/);
    assert.equal(renderClaims({ claims: [], canAdd: false }).includes('addResource'), false);
    assert.match(renderClaims({ note: 'Provisioning resources needs a Paved platform.', canAdd: false }), /class="muted resources-note">Provisioning resources needs a Paved platform\./);
  });

  it('the catalog tooltip lists each claim with its state per environment', () => {
    const tip = serviceTooltip({ ref: 'notes', name: 'notes', owner: 'team-a', tags: [], source: 'workspace', status: { staging: 'running' }, claimStates: [{ name: 'db', type: 'postgres', states: { production: 'pending', staging: 'ready' } }] });
    assert.match(tip, /Resources: {2}\ndb \(postgres\): staging ✓ ready · production ○ pending {2}$/);
  });
});
