/**
 * The client-side gate checks with the set the platform uses (its own set, the repository's additions, its catalog
 * names), and the platform's `policy-violation` comes back as a refusal placed on the manifest.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { defaultPolicySetText, loadPolicySet, toWire } from '../../../../src/core/policy';
import { errorForStatus, PolicyViolationError } from '../../../../src/platform/errors';
import { deploy, DeploymentJournal, findRepositoryPolicies, memoryStorage, promote, type DeployContext } from '../../../../src/platform/selfService';
import { FakePlatform, MANIFEST, ScriptedPrompts } from './fakes';

const DESCRIPTION = '\n  - { id: service-description, severity: error, condition: { properties: { metadata: { required: [description] } } }, path: /metadata/description, message: Say what it does. }\n';

function setup(manifest = MANIFEST()) {
  const platform = new FakePlatform('https://paved.example.com', { orders: { manifest } });
  const journal = new DeploymentJournal(memoryStorage());
  const lines: string[] = [];
  const ctx: DeployContext = { backend: platform, prompts: new ScriptedPrompts({}), journal, log: (l) => lines.push(l) };
  return { platform, ctx, lines };
}

const violation = () =>
  errorForStatus(
    422,
    {
      kind: 'problem',
      message: 'orders cannot be deployed',
      problem: {
        type: 'https://paved.dev/problems/policy-violation',
        code: 'policy-violation',
        status: 422,
        detail: 'orders cannot be deployed to local',
        policySet: { name: 'acme', version: '7' },
        findings: [
          { ruleId: 'service-description', severity: 'error', message: 'Say what it does.', path: '/metadata/description' },
          { ruleId: 'known-owner', severity: 'warning', message: 'Unknown team.', path: '/metadata/owner' },
          { bogus: true },
        ],
      },
    },
    {},
  );

describe('self-service: the gate uses the platform’s policies, and the platform’s refusal comes back placed', () => {
  it('checks with the deploying platform’s own set (one request), not the default', async () => {
    const { platform, ctx } = setup();
    platform.policies = toWire(loadPolicySet(defaultPolicySetText() + DESCRIPTION, 'platform'));
    const r = await deploy(ctx, { service: 'orders', environment: 'local' });
    assert.equal(r.status, 'refused');
    if (r.status !== 'refused') return;
    assert.equal(r.by, 'gate');
    assert.deepEqual(r.findings.map((f) => [f.ruleId, f.path, f.line]), [['service-description', '/metadata/description', 3]]);
    assert.deepEqual(platform.sent, [], 'nothing was sent');
    assert.deepEqual(platform.calls, ['getPolicies', 'catalogNames']);
  });

  it('falls back to the default set, saying so, when the platform cannot serve its set', async () => {
    const { platform, ctx, lines } = setup();
    platform.getPolicies = () => Promise.reject(new Error('boom'));
    assert.equal((await deploy(ctx, { service: 'orders', environment: 'local' })).status, 'started');
    assert.ok(lines.some((l) => /checking with Paved's default policy set: .* did not serve its own \(boom\)/.test(l)), lines.join('\n'));
  });

  it("merges the repository's .paved/policies.yaml found above the manifest file", async () => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-gate-'));
    try {
      fs.mkdirSync(path.join(repo, '.git'));
      fs.mkdirSync(path.join(repo, '.paved'));
      fs.mkdirSync(path.join(repo, 'services', 'orders'), { recursive: true });
      const file = path.join(repo, 'services', 'orders', 'paved.yaml');
      fs.writeFileSync(file, stringify(MANIFEST()));
      assert.equal(findRepositoryPolicies(file), undefined);
      fs.writeFileSync(path.join(repo, '.paved', 'policies.yaml'), `apiVersion: paved.dev/v1\nkind: PolicySet\nrules:${DESCRIPTION}`);
      assert.equal(findRepositoryPolicies(file), path.join(repo, '.paved', 'policies.yaml'));
      const { ctx } = setup();
      const r = await deploy(ctx, { service: 'orders', environment: 'local', manifest: { file } });
      assert.equal(r.status === 'refused' && r.findings[0].ruleId, 'service-description');
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });

  it("maps the platform's policy-violation to a typed error with its findings (malformed ones dropped)", () => {
    const err = violation();
    assert.ok(err instanceof PolicyViolationError);
    assert.equal(err.problemCode, 'policy-violation');
    assert.deepEqual(err.policySet, { name: 'acme', version: '7' });
    assert.deepEqual(err.findings.map((f) => f.ruleId), ['service-description', 'known-owner']);
    assert.equal(err.action, 'none');
  });

  it('a deploy and a promote the platform refuses come back as refusals placed on the manifest, and nothing is recorded', async () => {
    for (const flow of ['deploy', 'promote'] as const) {
      const { platform, ctx } = setup();
      platform.failNext = [violation()];
      const text = stringify(MANIFEST());
      const r = flow === 'deploy' ? await deploy(ctx, { service: 'orders', environment: 'local', manifest: { text } }) : await promote(ctx, { service: 'orders', from: 'local', manifest: { text } });
      assert.equal(r.status, 'refused', flow);
      if (r.status !== 'refused') continue;
      assert.equal(r.by, 'platform');
      assert.deepEqual(r.policySet, { name: 'acme', version: '7' });
      const ownerLine = text.split('\n').findIndex((l) => l.includes('owner:')) + 1;
      assert.deepEqual(r.findings.map((f) => [f.ruleId, f.severity, f.line]), [
        ['service-description', 'error', 3],
        ['known-owner', 'warning', ownerLine],
      ]);
      assert.deepEqual(r.problems, [`3:1 Say what it does. (service-description)`]);
      assert.deepEqual(ctx.journal?.list(), []);
    }
  });
});
