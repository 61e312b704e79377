/**
 * The platform decides (issue 13): deploy and promote are checked against the platform's policy set merged with the
 * service's repository additions, whatever client calls the API. Refusals are 422 `policy-violation` problems listing
 * each finding; waivers count until they expire; non-waivable rules refuse waivers; GET /v1/catalog/names.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CatalogNamesList, Deployment, PolicyViolationProblem, ServiceDetails } from '../../src/core/api/types';
import { defaultPolicySetText } from '../../src/core/policy/index';
import { fakeTokens } from '../unit/core/secrets/fakeTokens';
import { call, followDeployment, portBase, serve, tempDir, writeService, type Served } from './helpers';

const DESCRIPTION_RULES = `
  - id: service-description
    severity: error
    description: Every service says what it does.
    docsUrl: https://paved.dev/docs/policies#service-description
    condition: { properties: { metadata: { required: [description] } } }
    path: /metadata/description
    message: Every service needs a description (metadata.description).
  - id: team-email
    severity: error
    mandatory: true
    waivable: false
    condition: { properties: { metadata: { required: [annotations] } } }
    path: /metadata/annotations
    message: Every service names its team's email (metadata.annotations).
`;

const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

describe('Platform API contract: the platform enforces the policies at deploy and promote', function () {
  this.timeout(120_000);
  let s: Served;
  let ws: string;
  const platformFile = () => path.join(s.stateDir, 'policies.yaml');
  const deployment = (service: string, body: Record<string, unknown>) => call<Deployment | PolicyViolationProblem>(s, 'POST', `/v1/services/${service}/deployments`, { body });
  const refusal = (r: { status: number; body: unknown }) => {
    assert.equal(r.status, 422, JSON.stringify(r.body));
    const p = r.body as PolicyViolationProblem;
    assert.equal(p.code, 'policy-violation');
    assert.equal(p.type, 'https://paved.dev/problems/policy-violation');
    return p;
  };

  before(async () => {
    ws = tempDir('policies-ws');
    const t = fakeTokens();
    writeService(path.join(ws, 'leaky'), 'leaky');
    const leaky = path.join(ws, 'leaky', 'paved.yaml');
    fs.writeFileSync(leaky, fs.readFileSync(leaky, 'utf8').replace('env: { GREETING: hello }', `env: { GREETING: hello, STRIPE_KEY: ${t.stripe} }`));
    writeService(path.join(ws, 'plain'), 'plain');
    writeService(path.join(ws, 'waived'), 'waived', { extraSpec: ['  waivers:', `    - { rule: service-description, reason: written next sprint, expires: ${isoDay(10)}, approvedBy: jane }`] });
    writeService(path.join(ws, 'expired'), 'expired', { extraSpec: ['  waivers:', '    - { rule: service-description, reason: was due, expires: 2020-01-31 }'] });
    writeService(path.join(ws, 'insisting'), 'insisting', { extraSpec: ['  waivers:', `    - { rule: team-email, reason: no list yet, expires: ${isoDay(5)} }`] });
    writeService(path.join(ws, 'long'), 'long', { extraSpec: ['  waivers:', `    - { rule: service-description, reason: some day, expires: ${isoDay(60)} }`] });
    s = await serve(['--state-dir', tempDir('policies-state'), '--workspace', ws, '--port-base', String(portBase()), '--idle-timeout', '0']);
  });

  after(async () => {
    if (s) assert.equal(await s.stop(), 0);
  });

  it('refuses a deploy that breaks a mandatory rule, listing each finding (rule, message, JSON path, severity, docs)', async () => {
    const p = refusal(await deployment('leaky', { environment: 'local' }));
    assert.match(p.detail ?? '', /^leaky cannot be deployed to local: the manifest breaks 1 rule of the policy set "paved-default" \(no-plaintext-secret at \/spec\/env\/STRIPE_KEY\)$/);
    assert.deepEqual(p.findings, [
      {
        ruleId: 'no-plaintext-secret',
        severity: 'error',
        message: 'Plaintext secret in spec.env; move it to spec.secrets as a secret reference.',
        path: '/spec/env/STRIPE_KEY',
        docsUrl: 'https://paved.dev/docs/policies#no-plaintext-secret',
        on: 'key',
      },
    ]);
    assert.deepEqual(p.policySet, { name: 'paved-default', version: '2026.12.1' });
    assert.ok(!JSON.stringify(p).includes(fakeTokens().stripe), 'the secret itself is never echoed');
    const list = await call(s, 'GET', '/v1/services/leaky/deployments');
    assert.deepEqual(list.body.items, [], 'nothing was started');
  });

  it("uses the platform's own set: a rule added to <state-dir>/policies.yaml refuses what the default set allowed", async () => {
    const first = await deployment('plain', { environment: 'local' });
    assert.equal(first.status, 202);
    assert.equal((await followDeployment(s, (first.body as Deployment).id)).deployment.state, 'succeeded');
    fs.writeFileSync(platformFile(), defaultPolicySetText().replace('name: paved-default', 'name: acme').replace('version: "2026.12.1"', 'version: "7"').replace('rules:\n', 'maxWaiverDays: 30\nrules:\n') + DESCRIPTION_RULES);
    const p = refusal(await deployment('plain', { environment: 'local' }));
    assert.deepEqual(p.policySet, { name: 'acme', version: '7' });
    assert.deepEqual(p.findings.map((f) => [f.ruleId, f.severity, f.path]), [
      ['service-description', 'error', '/metadata/description'],
      ['team-email', 'error', '/metadata/annotations'],
    ]);
  });

  it('refuses a promote of a release that breaks the rules for the target environment', async () => {
    const p = refusal(await call(s, 'POST', '/v1/services/plain/promote', { body: { from: 'local' } }));
    assert.match(p.detail ?? '', /^plain cannot be deployed to staging: /);
    assert.deepEqual(p.findings.map((f) => f.ruleId), ['service-description', 'team-email']);
  });

  it('a valid waiver turns its rule into information and the deploy goes ahead; the scorecard lists it apart', async () => {
    // team-email is mandatory and not waivable: the platform's set is relaxed for this case only.
    fs.writeFileSync(platformFile(), defaultPolicySetText().replace('rules:\n', 'maxWaiverDays: 30\nrules:\n') + DESCRIPTION_RULES.split('  - id: team-email')[0]);
    const r = await deployment('waived', { environment: 'local' });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.equal((await followDeployment(s, (r.body as Deployment).id)).deployment.state, 'succeeded');
    const svc = await call<ServiceDetails>(s, 'GET', '/v1/services/waived');
    assert.deepEqual(svc.body.scorecard.waived, [
      { ruleId: 'service-description', severity: 'error', message: 'Every service needs a description (metadata.description).', reason: 'written next sprint', expires: isoDay(10), approvedBy: 'jane' },
    ]);
    assert.ok(!svc.body.scorecard.results.some((x) => x.ruleId === 'service-description'));
  });

  it('an expired waiver is refused: the rule counts again and the findings say the waiver expired', async () => {
    const p = refusal(await deployment('expired', { environment: 'local' }));
    assert.deepEqual(p.findings.map((f) => [f.ruleId, f.severity, f.path]), [
      ['service-description', 'error', '/metadata/description'],
      ['policy/waiver-expired', 'warning', '/spec/waivers/0/expires'],
    ]);
    assert.match(p.findings[0].message, /\(The waiver of this rule expired on 2020-01-31\.\)$/);
  });

  it('a waiver longer than the platform allows is refused', async () => {
    const p = refusal(await deployment('long', { environment: 'local' }));
    assert.deepEqual(p.findings.map((f) => [f.ruleId, f.path]), [
      ['service-description', '/metadata/description'],
      ['policy/waiver-refused', '/spec/waivers/0/expires'],
    ]);
    assert.match(p.findings[1].message, /waivers last at most 30 days on this platform/);
  });

  it('a non-waivable rule cannot be waived', async () => {
    fs.writeFileSync(platformFile(), defaultPolicySetText() + DESCRIPTION_RULES.split('  - id: team-email')[1].replace(/^/, '  - id: team-email'));
    const p = refusal(await deployment('insisting', { environment: 'local' }));
    assert.deepEqual(p.findings.map((f) => [f.ruleId, f.severity, f.path]), [
      ['team-email', 'error', '/metadata/annotations'],
      ['policy/waiver-refused', 'warning', '/spec/waivers/0/rule'],
    ]);
    assert.equal(p.findings[1].message, 'This waiver is refused: rule "team-email" cannot be waived on this platform. The rule counts.');
  });

  it("the repository's .paved/policies.yaml adds rules; a release keeps the additions it was built with", async () => {
    fs.rmSync(platformFile());
    const repoFile = path.join(ws, '.paved', 'policies.yaml');
    fs.mkdirSync(path.dirname(repoFile), { recursive: true });
    fs.writeFileSync(repoFile, 'apiVersion: paved.dev/v1\nkind: PolicySet\nrules:\n  - { id: repo-tags, severity: error, condition: { properties: { metadata: { required: [tags] } } }, path: /metadata/tags, message: tag it }\n');
    const ok = await deployment('plain', { environment: 'local' });
    assert.equal(ok.status, 202, JSON.stringify(ok.body));
    const built = await followDeployment(s, (ok.body as Deployment).id);
    assert.equal(built.deployment.state, 'succeeded');
    fs.writeFileSync(repoFile, 'apiVersion: paved.dev/v1\nkind: PolicySet\nrules:\n  - { id: repo-title-x, severity: error, condition: { properties: { metadata: { properties: { title: { const: x } } } } }, path: /metadata/title, message: title x }\n');
    const again = refusal(await deployment('plain', { environment: 'local' }));
    assert.deepEqual(again.findings.map((f) => f.ruleId), ['repo-title-x']);
    assert.equal(again.policySet.name, 'paved-default + .paved/policies.yaml');
    // The release built before the edit carries the additions of its build: promoting it is checked with those.
    const promoted = await call<Deployment>(s, 'POST', '/v1/services/plain/promote', { body: { from: 'local' } });
    assert.equal(promoted.status, 202, JSON.stringify(promoted.body));
    assert.equal(promoted.body.release, built.deployment.release);
    assert.equal((await followDeployment(s, promoted.body.id)).deployment.state, 'succeeded');
    fs.rmSync(path.dirname(repoFile), { recursive: true, force: true });
  });

  it('GET /v1/catalog/names: the teams, systems, services and APIs references are checked against', async () => {
    const r = await call<CatalogNamesList>(s, 'GET', '/v1/catalog/names');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { teams: ['team-a'], systems: [], services: ['expired', 'insisting', 'leaky', 'long', 'plain', 'waived'], deprecatedServices: [], apis: [] });
  });
});
