import * as assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { PavedError } from '../../../../src/core/errors';
import { errorForStatus } from '../../../../src/platform/errors';
import {
  acknowledge,
  deploy,
  DeploymentJournal,
  followDeployment,
  memoryStorage,
  promote,
  recordedOn,
  rollback,
  type DeployContext,
  type DeploymentRecord,
  type Started,
} from '../../../../src/platform/selfService';
import { FakeCatalog, FakePlatform, MANIFEST, ScriptedPrompts, type Script } from './fakes';

const approvalRequired = () =>
  errorForStatus(403, { kind: 'problem', message: 'needs approval', problem: { type: 'https://paved.dev/problems/approval-required', code: 'approval-required', status: 403, detail: 'policy p-7 requires approval' } }, {});

function setup(script: Script = {}, manifest = MANIFEST()) {
  const platform = new FakePlatform('https://paved.example.com', { orders: { manifest } });
  const storage = memoryStorage();
  const journal = new DeploymentJournal(storage);
  const prompts = new ScriptedPrompts(script);
  const lines: string[] = [];
  const ctx: DeployContext = { backend: platform, prompts, journal, log: (l) => lines.push(l) };
  return { platform, storage, journal, prompts, ctx, lines };
}

function started(r: unknown): Started {
  assert.equal((r as { status: string }).status, 'started', JSON.stringify(r));
  return r as Started;
}

describe('self-service flows: deploy, rollback, promote', () => {
  it('records the operation before sending it, with one idempotency key, and follows it to the end: the record is gone', async () => {
    const { platform, storage, journal, ctx } = setup();
    let recordedWhenSent: DeploymentRecord[] = [];
    platform.onSend = () => (recordedWhenSent = journal.list());
    const s = started(await deploy(ctx, { service: 'orders', environment: 'local' }));
    assert.deepEqual(platform.sent.map((r) => [r.kind, r.service, r.request]), [['deploy', 'orders', { environment: 'local' }]]);
    assert.equal(recordedWhenSent.length, 1, 'recorded before the request went out');
    assert.equal(recordedWhenSent[0].key, platform.sent[0].idempotencyKey);
    assert.equal(recordedWhenSent[0].id, undefined);
    assert.deepEqual(storage.records.map((r) => [r.key, r.id, r.platform]), [[s.record.key, s.deployment.id, 'https://paved.example.com']]);

    const fake = platform.deployment(s.deployment.id);
    const seen: [number, boolean][] = [];
    const following = followDeployment(s.backend, s.record, {
      journal,
      observer: {
        event: (ev, replayed) => {
          seen.push([ev.seq, replayed]);
          if (ev.seq === 1) fake.push('state', 'building', 'building');
          if (ev.seq === 2) fake.finish('succeeded');
        },
      },
    });
    const { deployment, outcome, cancelRequested } = await following;
    assert.deepEqual(seen, [[1, false], [2, false], [3, false]]);
    assert.deepEqual([deployment.state, outcome.severity, cancelRequested], ['succeeded', 'info', false]);
    assert.deepEqual(storage.records, [], 'forgotten once it ended');
  });

  it('refuses a manifest with policy errors before anything is sent', async () => {
    const { platform, storage, ctx } = setup({}, MANIFEST('bad-port'));
    const r = await deploy(ctx, { service: 'orders', environment: 'local' });
    assert.equal(r.status, 'refused');
    assert.equal(r.status === 'refused' && r.problems.length, 1);
    assert.match(r.status === 'refused' ? r.problems[0] : '', /^\d+:\d+ .*spec\.run\.port must be an integer.*\(schema\/type\)$/);
    assert.deepEqual(platform.sent, []);
    assert.deepEqual(storage.records, []);
  });

  it('checks the manifest the caller names (the CodeLens document) rather than the catalog copy', async () => {
    const { platform, ctx } = setup();
    const text = stringify(MANIFEST('bad-port'));
    const r = await deploy(ctx, { service: 'orders', environment: 'local', manifest: { text } });
    assert.equal(r.status, 'refused');
    assert.deepEqual(platform.sent, []);
    const read: string[] = [];
    const fromFile = await deploy({ ...ctx, readFile: async (f) => (read.push(f), stringify(MANIFEST())) }, { service: 'orders', environment: 'local', manifest: { file: '/ws/orders/paved.yaml' } });
    assert.equal(fromFile.status, 'started');
    assert.deepEqual(read, ['/ws/orders/paved.yaml']);
  });

  it('asks for the approval the manifest requires, once; declined, nothing is sent', async () => {
    const declined = setup({ approve: [false] }, MANIFEST('approval'));
    await assert.rejects(deploy(declined.ctx, { service: 'orders', environment: 'production' }), (e: PavedError) => e.code === 'cancelled');
    assert.deepEqual(declined.prompts.asked, ['approval: orders → production (manifest)']);
    assert.deepEqual(declined.platform.sent, []);
    assert.deepEqual(declined.storage.records, []);

    const accepted = setup({ approve: [true] }, MANIFEST('approval'));
    started(await deploy(accepted.ctx, { service: 'orders', environment: 'production', release: 'r-1' }));
    assert.deepEqual(accepted.prompts.approvals, [{ service: 'orders', environment: 'production', release: 'r-1', reason: 'manifest' }]);
    assert.deepEqual(accepted.platform.sent.map((r) => r.request), [{ environment: 'production', release: 'r-1', approved: true }]);

    const staging = setup({}, MANIFEST('approval'));
    started(await deploy(staging.ctx, { service: 'orders', environment: 'staging' }));
    assert.deepEqual(staging.prompts.asked, [], 'no approval where the environment does not honour it');

    const preApproved = setup({}, MANIFEST('approval'));
    started(await deploy(preApproved.ctx, { service: 'orders', environment: 'production', approved: true }));
    assert.deepEqual(preApproved.prompts.asked, []);
    assert.deepEqual(preApproved.platform.sent.map((r) => r.request), [{ environment: 'production', approved: true }]);
  });

  it('when the platform answers approval-required, asks once and sends again with approved: true and the same key', async () => {
    const { platform, storage, prompts, ctx } = setup({ approve: [true] });
    platform.failNext = [approvalRequired()];
    const s = started(await deploy(ctx, { service: 'orders', environment: 'staging', idempotencyKey: 'key-1' }));
    assert.deepEqual(prompts.approvals, [{ service: 'orders', environment: 'staging', reason: 'platform' }]);
    assert.deepEqual(
      platform.sent.map((r) => [r.request, r.idempotencyKey]),
      [
        [{ environment: 'staging' }, 'key-1'],
        [{ environment: 'staging', approved: true }, 'key-1'],
      ],
    );
    assert.deepEqual(storage.records.map((r) => [r.key, r.request, r.id]), [['key-1', { environment: 'staging', approved: true }, s.deployment.id]]);
  });

  it('approval-required declined, or again after approval, or any other refusal: the error stands and the record is gone', async () => {
    const declined = setup({ approve: [false] });
    declined.platform.failNext = [approvalRequired()];
    await assert.rejects(deploy(declined.ctx, { service: 'orders', environment: 'staging' }), (e: PavedError) => e.code === 'cancelled');
    assert.equal(declined.platform.sent.length, 1);
    assert.deepEqual(declined.storage.records, []);

    const twice = setup({ approve: [true] });
    twice.platform.failNext = [approvalRequired(), approvalRequired()];
    await assert.rejects(deploy(twice.ctx, { service: 'orders', environment: 'staging' }), (e: PavedError) => e.code === 'forbidden');
    assert.equal(twice.prompts.approvals.length, 1, 'asked once');
    assert.equal(twice.platform.sent.length, 2, 'sent again once');
    assert.deepEqual(twice.storage.records, []);

    // A 403 whose text mentions approval but whose problem type is another one: no question, no retry.
    const other = setup();
    other.platform.failNext = [errorForStatus(403, { kind: 'problem', message: 'approval of your manager missing', problem: { type: 'https://paved.dev/problems/forbidden', status: 403, detail: 'approval of your manager missing' } }, {})];
    await assert.rejects(deploy(other.ctx, { service: 'orders', environment: 'staging' }), (e: PavedError) => e.code === 'forbidden');
    assert.deepEqual(other.prompts.asked, []);
    assert.equal(other.platform.sent.length, 1);
  });

  it('a Backstage entity deploys through the Paved platform it names: that platform’s token is asked for, the request goes there', async () => {
    const catalog = new FakeCatalog('https://backstage.example.com', { 'component:default/orders': ['https://paved.example.com/', 'orders-svc'], 'component:default/plain': undefined });
    const paved = new FakePlatform('https://paved.example.com', { 'orders-svc': { manifest: MANIFEST() } });
    catalog.delegates.set('https://paved.example.com/', paved);
    const journal = new DeploymentJournal(memoryStorage());
    const prompts = new ScriptedPrompts({ service: 'component:default/orders', environment: ['local'], release: null, tokens: { 'https://paved.example.com/': true } });
    const lines: string[] = [];
    const s = started(await deploy({ backend: catalog, prompts, journal, log: (l) => lines.push(l) }));
    assert.deepEqual(prompts.offeredServices, ['component:default/orders'], 'only entities that name a platform are offered');
    assert.deepEqual(prompts.asked, [
      'service: Deploy which service?',
      'token: https://paved.example.com/: component:default/orders deploys through the Paved platform at https://paved.example.com/.',
      'environment: Deploy to which environment?',
      'release: Deploy orders-svc to local (deploy)',
    ]);
    assert.deepEqual(catalog.sent, [], 'nothing is sent to the catalog');
    assert.deepEqual(paved.sent.map((r) => [r.service, r.request]), [['orders-svc', { environment: 'local' }]]);
    assert.deepEqual([s.backend, s.record.service, s.record.via, s.record.platform], [paved, 'orders-svc', 'https://paved.example.com/', 'https://paved.example.com']);
    assert.deepEqual(lines, ['component:default/orders deploys through https://paved.example.com/ as "orders-svc"']);
    // After a restart the record is found through the same platform.
    assert.deepEqual(recordedOn(catalog, journal.list()).map((r) => [r.record.key, r.backend]), [[s.record.key, paved]]);
  });

  it('no token for the Paved platform, or an entity that names none: nothing is sent', async () => {
    const catalog = new FakeCatalog('https://backstage.example.com', { 'component:default/orders': ['https://paved.example.com', 'orders'], 'component:default/plain': undefined });
    const paved = new FakePlatform('https://paved.example.com', { orders: { manifest: MANIFEST() } });
    catalog.delegates.set('https://paved.example.com', paved);
    const refused = new ScriptedPrompts({ tokens: { 'https://paved.example.com': false } });
    await assert.rejects(deploy({ backend: catalog, prompts: refused }, { service: 'component:default/orders', environment: 'local' }), (e: PavedError) => e.code === 'unauthorized');
    await assert.rejects(deploy({ backend: catalog, prompts: refused }, { service: 'component:default/plain', environment: 'local' }), (e: PavedError) => e.code === 'unsupported');
    assert.deepEqual(paved.sent, []);
    // A platform that neither deploys nor hands off says so before asking anything.
    const nothing = new FakePlatform('https://x.example.com');
    nothing.capabilities = { ...nothing.capabilities, deploy: false };
    const prompts = new ScriptedPrompts();
    await assert.rejects(deploy({ backend: nothing, prompts }), (e: PavedError) => e.code === 'unsupported' && e.message === 'Paved platform (https://x.example.com) does not deploy services through Paved.');
    assert.deepEqual(prompts.asked, []);
  });

  it('asks what was not given: environment, then the release among earlier successful ones (each once)', async () => {
    const { platform, prompts, ctx } = setup({ environment: ['staging'], release: 'r-2' });
    platform.history = [
      { id: 'd-9', service: 'orders', environment: 'local', kind: 'deploy', release: 'r-2', state: 'succeeded', createdAt: 't9', finishedAt: 'f9' },
      { id: 'd-8', service: 'orders', environment: 'staging', kind: 'deploy', release: 'r-2', state: 'succeeded', createdAt: 't8' },
      { id: 'd-7', service: 'orders', environment: 'local', kind: 'deploy', release: 'r-x', state: 'failed', createdAt: 't7' },
      { id: 'd-6', service: 'orders', environment: 'local', kind: 'deploy', release: 'r-1', state: 'succeeded', createdAt: 't6' },
    ];
    started(await deploy(ctx, { service: 'orders' }));
    assert.deepEqual(prompts.offeredEnvironments, ['local', 'staging', 'production']);
    assert.deepEqual(prompts.offeredReleases, [
      { release: 'r-2', environment: 'local', at: 'f9' },
      { release: 'r-1', environment: 'local', at: 't6' },
    ]);
    assert.deepEqual(platform.sent.map((r) => r.request), [{ environment: 'staging', release: 'r-2' }]);
    // A named environment is not asked, nor the release.
    const given = setup();
    started(await deploy(given.ctx, { service: 'orders', environment: 'local' }));
    assert.deepEqual(given.prompts.asked, []);
  });

  it('an unknown environment is the user’s input error (invalid-input), said with the known ones', async () => {
    const { platform, ctx } = setup();
    await assert.rejects(deploy(ctx, { service: 'orders', environment: 'moon' }), (e: PavedError) => e.code === 'invalid-input' && /no environment 'moon' \(known: local, staging, production\)/.test(e.message));
    assert.deepEqual(platform.sent, []);
  });

  it('rolls back to the previous release, or to one picked from those that succeeded there', async () => {
    const { platform, prompts, ctx } = setup({ environment: ['local'], release: 'r-1' });
    platform.history = [{ id: 'd-6', service: 'orders', environment: 'local', kind: 'deploy', release: 'r-1', state: 'succeeded', createdAt: 't6' }];
    started(await rollback(ctx, { service: 'orders', environment: 'local' }));
    started(await rollback(ctx, { service: 'orders' }));
    assert.deepEqual(prompts.asked, ['environment: Roll back orders in which environment?', 'release: Roll back orders in local (rollback)']);
    assert.deepEqual(platform.sent.map((r) => [r.kind, r.request]), [
      ['rollback', { environment: 'local' }],
      ['rollback', { environment: 'local', release: 'r-1' }],
    ]);
  });

  it('promotes to the next environment, checking the target’s approval rule; the last environment has nothing to promote to', async () => {
    const { platform, prompts, ctx } = setup({ approve: [true] }, MANIFEST('approval'));
    started(await promote(ctx, { service: 'orders', from: 'local' }));
    started(await promote(ctx, { service: 'orders', from: 'staging' }));
    assert.deepEqual(prompts.approvals, [{ service: 'orders', environment: 'production', promotedFrom: 'staging', reason: 'manifest' }]);
    assert.deepEqual(platform.sent.map((r) => r.request), [
      { from: 'local', to: 'staging' },
      { from: 'staging', to: 'production', approved: true },
    ]);
    await assert.rejects(promote(ctx, { service: 'orders', from: 'production' }), (e: PavedError) => e.code === 'invalid-input' && e.message === 'production is the last environment: there is nothing to promote it to');
    const bad = setup({}, MANIFEST('bad-port'));
    assert.equal((await promote(bad.ctx, { service: 'orders', from: 'local' })).status, 'refused');
    assert.deepEqual(bad.platform.sent, []);
  });

  it('after a restart: a record without an id is sent again with its key (the same deployment), then followed from its last seen event', async () => {
    const { platform, journal, ctx } = setup();
    platform.failNext = [new PavedError('unreachable', 'connection reset')];
    await assert.rejects(deploy(ctx, { service: 'orders', environment: 'local', idempotencyKey: 'k-7' }));
    assert.deepEqual(journal.list(), [], 'a failed send is forgotten');

    // A record as a window left it: written, request sent, no answer yet.
    const record: DeploymentRecord = { key: 'k-8', kind: 'deploy', service: 'orders', environment: 'local', request: { environment: 'local' }, lastSeq: 0, recordedAt: 't', platform: platform.baseUrl };
    await journal.put(record);
    const first = await acknowledge(platform, record, journal);
    const again = await acknowledge(platform, { ...record }, journal);
    assert.equal(again.id, first.id, 'the same key returns the same deployment');
    assert.deepEqual(platform.sent.slice(-2).map((r) => r.idempotencyKey), ['k-8', 'k-8']);
    assert.equal(journal.list().find((r) => r.key === 'k-8')?.id, first.id);

    // Seen up to event 1 before the restart: the stream resumes after it; replaying from 0 marks event 1 replayed.
    const fake = platform.deployment(first.id);
    fake.push('state', 'building', 'building');
    fake.finish('succeeded');
    const seen: [number, boolean][] = [];
    await followDeployment(platform, { ...first, lastSeq: 1 }, { journal, from: 0, observer: { event: (ev, replayed) => seen.push([ev.seq, replayed]) } });
    assert.deepEqual(seen, [[1, true], [2, false], [3, false]]);
    const resumed: number[] = [];
    await followDeployment(platform, { ...first, lastSeq: 2 }, { observer: { event: (ev) => resumed.push(ev.seq) } });
    assert.deepEqual(resumed, [3]);
  });

  it('the cancel signal asks the platform to cancel and follows the stream to the final state; the stop signal stops watching only', async () => {
    const { platform, journal, ctx } = setup();
    const s = started(await deploy(ctx, { service: 'orders', environment: 'local' }));
    const cancel = new AbortController();
    const told: string[] = [];
    const { deployment, cancelRequested, outcome } = await followDeployment(s.backend, s.record, {
      journal,
      cancel: cancel.signal,
      observer: {
        event: (ev) => {
          told.push(`event ${ev.seq}`);
          if (ev.seq === 1) cancel.abort();
        },
        cancelRequested: () => told.push('cancel requested'),
        cancelAnswered: (d) => told.push(`answered ${d.state}`),
      },
    });
    assert.deepEqual(platform.cancelled, [s.deployment.id]);
    assert.deepEqual([deployment.state, cancelRequested, outcome.severity], ['cancelled', true, 'warning']);
    assert.deepEqual(told.slice(0, 2), ['event 1', 'cancel requested']);
    assert.deepEqual(told.slice(2).sort(), ['answered cancelled', 'event 2'], 'the stream goes on to the final state; the cancel is answered');

    const other = started(await deploy(ctx, { service: 'orders', environment: 'local' }));
    const stop = new AbortController();
    await assert.rejects(
      followDeployment(other.backend, other.record, { journal, stop: stop.signal, observer: { event: () => stop.abort() } }),
      (e: PavedError) => e.code === 'cancelled',
    );
    assert.deepEqual(platform.cancelled, [s.deployment.id], 'stopping to watch cancels nothing');
    assert.deepEqual(journal.list().map((r) => [r.key, r.lastSeq]), [[other.record.key, 1]], 'kept, with the last seen event, for the next window');
  });
});
