import * as assert from 'node:assert/strict';
import { DEFAULT_ENVIRONMENTS, canTransition, effectiveSpec, isReleaseId, isTerminal, newReleaseId, plannedStates, promotionTarget, releaseTime, transition, unhealthyOutcome } from '../../../../src/core/deploy';
import { PavedError } from '../../../../src/core/errors';

describe('core/deploy model', () => {
  it('allows the deploy path and refuses leaving a terminal state', () => {
    let s = transition('pending', 'building');
    s = transition(s, 'starting');
    s = transition(s, 'health-checking');
    assert.equal(transition(s, 'succeeded'), 'succeeded');
    assert.throws(() => transition('succeeded', 'building'), (e: unknown) => PavedError.is(e, 'conflict') && e.message === 'a deployment cannot go from succeeded to building');
    assert.equal(canTransition('building', 'rolled-back'), false);
    assert.equal(canTransition('health-checking', 'rolled-back'), true);
    assert.deepEqual(['succeeded', 'failed', 'rolled-back', 'cancelled', 'pending'].map((x) => isTerminal(x as never)), [true, true, true, true, false]);
  });

  it('rollback and promote skip the build', () => {
    assert.deepEqual(plannedStates('deploy'), ['pending', 'building', 'starting', 'health-checking']);
    assert.deepEqual(plannedStates('rollback'), ['pending', 'starting', 'health-checking']);
    assert.equal(unhealthyOutcome(true), 'rolled-back');
    assert.equal(unhealthyOutcome(false), 'failed');
  });

  it('release ids are sortable and carry their creation time', () => {
    const id = newReleaseId(new Date('2026-11-22T05:19:00.123Z'), () => '3f2a9c');
    assert.equal(id, 'r-20261122T051900Z-3f2a9c');
    assert.equal(isReleaseId(id), true);
    assert.equal(isReleaseId('r-latest'), false);
    assert.equal(releaseTime(id), '2026-11-22T05:19:00.000Z');
    assert.throws(() => releaseTime('nope'), /'nope' is not a release id/);
    assert.ok(newReleaseId(new Date('2026-01-01T00:00:00Z')) < newReleaseId(new Date('2026-01-02T00:00:00Z')));
  });

  it('promotion goes local → staging → production only', () => {
    assert.equal(promotionTarget(DEFAULT_ENVIRONMENTS, 'local').name, 'staging');
    assert.equal(promotionTarget(DEFAULT_ENVIRONMENTS, 'staging', 'production').name, 'production');
    assert.throws(() => promotionTarget(DEFAULT_ENVIRONMENTS, 'local', 'production'), /a release in local is promoted to staging, not production/);
    assert.throws(() => promotionTarget(DEFAULT_ENVIRONMENTS, 'production'), /production is the last environment/);
    assert.throws(() => promotionTarget(DEFAULT_ENVIRONMENTS, 'moon'), (e: unknown) => PavedError.is(e, 'not-found'));
  });

  it('environments have disjoint port ranges', () => {
    const [a, b, c] = DEFAULT_ENVIRONMENTS.map((e) => e.portRange);
    assert.ok(a.to < b.from && b.to < c.from);
  });

  it('merges per-environment overrides over the spec', () => {
    const manifest = {
      spec: {
        build: { command: 'make' },
        run: { command: 'node s.js', port: 8080 },
        health: { path: '/healthz' },
        env: { A: '1', B: 2 },
        environments: { production: { approval: 'required', env: { B: 'prod' }, health: { path: '/ready' } } },
      },
    };
    assert.deepEqual(effectiveSpec(manifest, 'local'), { build: 'make', run: 'node s.js', port: 8080, healthPath: '/healthz', env: { A: '1', B: '2' }, approvalRequired: false });
    assert.deepEqual(effectiveSpec(manifest, 'production'), { build: 'make', run: 'node s.js', port: 8080, healthPath: '/ready', env: { A: '1', B: 'prod' }, approvalRequired: true });
    assert.deepEqual(effectiveSpec({}, 'local'), { healthPath: '/healthz', env: {}, approvalRequired: false });
  });
});
