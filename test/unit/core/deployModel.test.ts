import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Deployment } from '../../../src/core/api/types';
import {
  approvalEnvironments,
  deployLenses,
  describeOutcome,
  needsApproval,
  policyGate,
  readRecords,
  removeRecord,
  serviceFromArg,
  upsertRecord,
  type DeploymentRecord,
} from '../../../src/core/wizard/deploy';

const fixture = fs.readFileSync(path.resolve(__dirname, '../../fixtures/workspaces/basic/services/payments-api/paved.yaml'), 'utf8');

describe('deploy CodeLens model', () => {
  it('puts Deploy to local | staging | production on the metadata key, marking approval environments', () => {
    const lenses = deployLenses(fixture);
    const at = fixture.indexOf('metadata:');
    assert.deepEqual(lenses, [
      { offset: at, length: 'metadata'.length, service: 'payments-api', environment: 'local', title: '$(rocket) Deploy to local' },
      { offset: at, length: 'metadata'.length, service: 'payments-api', environment: 'staging', title: 'staging' },
      { offset: at, length: 'metadata'.length, service: 'payments-api', environment: 'production', title: 'production (approval)' },
    ]);
  });

  it('offers nothing for other documents, unnamed services and broken YAML', () => {
    assert.deepEqual(deployLenses('apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\n'), []);
    assert.deepEqual(deployLenses('apiVersion: paved.dev/v1\nkind: Service\nmetadata:\n  title: x\n'), []);
    assert.deepEqual(deployLenses('apiVersion: paved.dev/v1\nkind: Service\nmetadata: [\n'), []);
    assert.deepEqual(deployLenses(''), []);
    assert.equal(deployLenses('apiVersion: paved.dev/v1\nkind: Service\nmetadata:\n  name: a\n').length, 3);
  });
});

describe('approval and the policy gate', () => {
  const envs = { local: { name: 'local', approvalHonoured: false }, production: { name: 'production', approvalHonoured: true } };
  it('needs approval only where the manifest asks for it and the environment honours it', () => {
    const manifest = { spec: { environments: { production: { approval: 'required' }, staging: { approval: 'none' } } } };
    assert.deepEqual([...approvalEnvironments(manifest)], ['production']);
    assert.equal(needsApproval(manifest, envs.production), true);
    assert.equal(needsApproval(manifest, envs.local), false);
    assert.equal(needsApproval({ spec: {} }, envs.production), false);
    assert.equal(needsApproval('nonsense', envs.production), false);
  });

  it('lets a clean manifest through and refuses one with errors, listing line:col, message and rule', () => {
    assert.deepEqual(policyGate(fixture, 'paved.yaml', 'local').lines, []);
    const broken = fixture.replace('  owner: team-payments\n', '').replace('port: 8080', 'port: "eighty"');
    const gate = policyGate(broken, 'paved.yaml', 'production');
    assert.deepEqual(gate.lines, [
      '3:1 Production services need an owner (metadata.owner). (production-owner)',
      '16:46 Incorrect type: spec.run.port must be an integer, not a string. (schema/type)',
    ]);
    assert.deepEqual(gate.errors.map((f) => f.ruleId), ['production-owner', 'schema/type']);
  });
});

describe('deployment outcome messages', () => {
  const base: Deployment = { id: 'd1', service: 'orders', environment: 'local', kind: 'deploy', state: 'succeeded', createdAt: '2026-11-22T05:00:00Z', release: 'r-1' };
  it('says where a successful deployment runs', () => {
    assert.deepEqual(describeOutcome({ ...base, url: 'http://127.0.0.1:41000' }), {
      severity: 'info',
      message: 'orders (r-1) is running in local at http://127.0.0.1:41000.',
      actions: ['Open Service', 'View Logs'],
    });
  });
  it('shows an automatic rollback as a warning naming the release that keeps serving', () => {
    assert.deepEqual(describeOutcome({ ...base, state: 'rolled-back', automaticRollback: true, previousRelease: 'r-0', error: 'health check failed', url: 'http://127.0.0.1:41000' }), {
      severity: 'warning',
      message: 'Deployment of orders to local failed: health check failed. Automatic rollback: r-0 keeps serving.',
      actions: ['View Logs', 'Open Service'],
    });
  });
  it('offers Roll Back after a failure when there was a previous release, and reports cancellation', () => {
    assert.deepEqual(describeOutcome({ ...base, state: 'failed', error: 'build failed', previousRelease: 'r-0' }), {
      severity: 'error',
      message: 'Deployment of orders to local failed: build failed.',
      actions: ['View Logs', 'Roll Back'],
    });
    assert.deepEqual(describeOutcome({ ...base, kind: 'promote', state: 'cancelled' }), { severity: 'warning', message: 'Promotion of orders to local was cancelled.', actions: ['View Logs'] });
  });
});

describe('deployment records (reload survival)', () => {
  const r = (key: string, lastSeq = 0): DeploymentRecord => ({
    key,
    kind: 'deploy',
    service: 's',
    environment: 'local',
    request: { environment: 'local' },
    lastSeq,
    recordedAt: '2026-11-22T05:00:00Z',
    platform: 'http://127.0.0.1:1',
  });
  it('adds, replaces by key and removes', () => {
    const one = upsertRecord([], r('a'));
    const two = upsertRecord(one, r('b'));
    const updated = upsertRecord(two, { ...r('a', 7), id: 'd1' });
    assert.deepEqual(updated.map((x) => [x.key, x.lastSeq, x.id]), [['a', 7, 'd1'], ['b', 0, undefined]]);
    assert.deepEqual(removeRecord(updated, 'a').map((x) => x.key), ['b']);
  });
  it('drops malformed stored values', () => {
    assert.deepEqual(readRecords(undefined), []);
    assert.deepEqual(readRecords({}), []);
    assert.deepEqual(readRecords([r('a'), { key: 'x' }, null, { ...r('b'), kind: 'explode' }]).map((x) => x.key), ['a']);
  });
});

describe('command arguments', () => {
  it('finds the service in a string, a tree node, a deployment or CodeLens args', () => {
    assert.equal(serviceFromArg('orders'), 'orders');
    assert.equal(serviceFromArg({ kind: 'service', service: { name: 'orders', ref: 'orders' } }), 'orders');
    assert.equal(serviceFromArg({ service: 'orders', environment: 'local' }), 'orders');
    assert.equal(serviceFromArg({ ref: 'component:default/x' }), 'component:default/x');
    assert.equal(serviceFromArg(undefined), undefined);
    assert.equal(serviceFromArg(''), undefined);
  });
});
