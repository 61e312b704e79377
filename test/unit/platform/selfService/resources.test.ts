import * as assert from 'node:assert/strict';
import type { ClaimStatus, ResourceType } from '../../../../src/core/api/types';
import { applyEdits } from '../../../../src/core/manifest';
import { POSTGRES_TYPE, VOLUME_TYPE } from '../../../../src/core/resources';
import { BACKSTAGE_CAPABILITIES } from '../../../../src/platform/capabilities';
import { PlatformError } from '../../../../src/platform/errors';
import { addResource, connectionString, releaseClaim, releaseWarning, suggestClaimName, type ResourcePrompts } from '../../../../src/platform/selfService/resources';
import { FakePlatform } from './fakes';

const MANIFEST = 'apiVersion: paved.dev/v1\nkind: Service\nmetadata:\n  name: notes\n  owner: team-a\nspec:\n  runtime: { name: node }\n  run: { command: node s.js }\n';

class ResourcePlatform extends FakePlatform {
  claims: ClaimStatus[] = [];
  released: string[] = [];
  revealed: string[] = [];
  override listResourceTypes = async (): Promise<ResourceType[]> => [POSTGRES_TYPE, VOLUME_TYPE];
  override listClaims = async (q: { service?: string; environment?: string } = {}) => ({ items: this.claims.filter((c) => c.service === q.service && c.environment === q.environment) });
  override releaseClaim = async (service: string, claim: string, environment: string): Promise<void> => void this.released.push(`${service}/${claim}/${environment}`);
  override revealClaimOutput = async (service: string, claim: string, environment: string, output: string) => {
    this.revealed.push(output);
    return { service, claim, environment, output, secret: true, value: 'postgresql://postgres:pw@127.0.0.1:1/postgres' };
  };
}

function prompts(answers: { type: string; name?: string }): ResourcePrompts & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    pickType: async (types) => (asked.push(`type:${types.map((t) => t.type).join(',')}`), types.find((t) => t.type === answers.type)!),
    pickClass: async (_t, preset) => (asked.push('class'), preset),
    claimName: async (suggested, validate) => (asked.push(`name:${suggested}:${validate('Bad') ?? 'ok'}`), answers.name ?? suggested),
  };
}

const status = (state: ClaimStatus['state']): ClaimStatus => ({ service: 'notes', claim: 'db', environment: 'staging', type: 'postgres', class: 'small', state, resourceId: 'notes.staging.db', outputs: { host: '127.0.0.1', port: '44001', password: '********' }, secretOutputs: ['password'] });

describe('self-service flows: resources', () => {
  it('Add Resource: types from the platform, a suggested name, the claim and the binding of its main output as edits', async () => {
    const p = new ResourcePlatform('https://paved.example.com');
    const ask = prompts({ type: 'postgres' });
    const added = await addResource({ backend: p }, ask, MANIFEST);
    assert.deepEqual(ask.asked, ['type:postgres,volume', "name:db:lowercase letters, digits, _ and -, starting with a letter"]);
    assert.deepEqual([added.claim, added.type, added.class, added.envVar, added.output], ['db', 'postgres', 'small', 'DATABASE_URL', 'url']);
    const text = applyEdits(MANIFEST, added.edits);
    assert.match(text, /\n {2}claims:\n {4}db:\n {6}type: postgres\n {6}class: small\n {2}env:\n {4}DATABASE_URL: \$\{claims\.db\.url\}\n$/);
    // A second database: the next free name, and its own variable.
    const second = await addResource({ backend: p }, prompts({ type: 'postgres' }), text);
    assert.deepEqual([second.claim, second.envVar], ['db2', 'DB2_DATABASE_URL']);
    assert.equal(suggestClaimName(VOLUME_TYPE, new Set(['files'])), 'files2');
  });

  it('Add Resource on a platform without resources fails at once, saying where they come from', async () => {
    const p = new ResourcePlatform('https://backstage.example.com');
    p.capabilities = { ...BACKSTAGE_CAPABILITIES };
    await assert.rejects(addResource({ backend: p }, prompts({ type: 'postgres' }), MANIFEST), /cannot provision resources\. It shows Resource entities; claims in paved\.yaml are provisioned by a Paved platform/);
  });

  it('Release: only an orphaned claim, after a confirmation naming what will be lost; declining deletes nothing', async () => {
    const p = new ResourcePlatform('https://paved.example.com');
    p.claims = [status('ready')];
    await assert.rejects(releaseClaim({ backend: p }, { service: 'notes', claim: 'db', environment: 'staging' }, async () => true), /is ready in staging, not orphaned/);
    p.claims = [status('orphaned')];
    const warnings: string[] = [];
    assert.equal(await releaseClaim({ backend: p }, { service: 'notes', claim: 'db', environment: 'staging' }, async (w) => (warnings.push(w), false)), 'declined');
    assert.deepEqual(p.released, []);
    assert.equal(await releaseClaim({ backend: p }, { service: 'notes', claim: 'db', environment: 'staging' }, async () => true), 'released');
    assert.deepEqual(p.released, ['notes/db/staging']);
    assert.equal(warnings[0], 'Release claim db of notes in staging? This deletes postgres resource notes.staging.db (host 127.0.0.1, port 44001): the database and every table and row in it. It cannot be undone.');
    assert.equal(releaseWarning({ ...status('orphaned'), type: 'volume', outputs: {} }).includes('the directory and every file in it'), true);
    // Not listed any more: released before (the platform says so, nothing is asked) — or never there.
    p.claims = [];
    assert.equal(await releaseClaim({ backend: p }, { service: 'notes', claim: 'db', environment: 'staging' }, async () => assert.fail('nothing to confirm')), 'released-before');
    p.releaseClaim = async () => {
      throw new PlatformError('not-found', 'no such claim', { status: 404 });
    };
    await assert.rejects(releaseClaim({ backend: p }, { service: 'notes', claim: 'nope', environment: 'staging' }, async () => true), /notes has no provisioned claim 'nope' in staging/);
  });

  it('Copy Connection String reveals the type’s main output', async () => {
    const p = new ResourcePlatform('https://paved.example.com');
    p.claims = [status('ready')];
    const r = await connectionString({ backend: p }, { service: 'notes', claim: 'db', environment: 'staging' });
    assert.deepEqual([r.output, r.secret, p.revealed], ['url', true, ['url']]);
  });
});
