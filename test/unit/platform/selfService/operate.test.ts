import * as assert from 'node:assert/strict';
import type { LogLine, StopRequest, StopResult } from '../../../../src/core/api/operations';
import { PavedError } from '../../../../src/core/errors';
import { errorForStatus, PlatformError } from '../../../../src/platform/errors';
import { BACKSTAGE_CAPABILITIES } from '../../../../src/platform/capabilities';
import { DeploymentJournal, followLogs, memoryStorage, restart, stop, type DeployContext } from '../../../../src/platform/selfService';
import { FakePlatform, MANIFEST, ScriptedPrompts, type Script } from './fakes';

const approvalRequired = () =>
  errorForStatus(403, { kind: 'problem', message: 'needs approval', problem: { type: 'https://paved.dev/problems/approval-required', code: 'approval-required', status: 403, detail: 'policy p-7 requires approval' } }, {});

/** A platform whose stop answers from a script (the fake's restart is sent like a deployment). */
class OperablePlatform extends FakePlatform {
  readonly stops: StopRequest[] = [];
  stopFailures: Error[] = [];
  constructor(manifest = MANIFEST()) {
    super('https://paved.example.com', { orders: { manifest } });
    (this.operations as { stop: unknown }).stop = async (_service: string, environment: string, request: StopRequest = {}): Promise<StopResult> => {
      this.stops.push(request);
      const failure = this.stopFailures.shift();
      if (failure) throw failure;
      return { changed: true, environment: { environment, state: 'stopped' } };
    };
  }
}

function setup(script: Script, manifest = MANIFEST()) {
  const platform = new OperablePlatform(manifest);
  const prompts = new ScriptedPrompts(script);
  const ctx: DeployContext = { backend: platform, prompts, journal: new DeploymentJournal(memoryStorage()) };
  return { platform, prompts, ctx };
}

describe('self-service flows: restart, stop, following logs', () => {
  it('restart: a deployment of kind restart, asked for approval when the manifest requires it there', async () => {
    const { platform, prompts, ctx } = setup({ approve: [true] }, MANIFEST('approval'));
    const s = await restart(ctx, { service: 'orders', environment: 'production' });
    assert.equal(s.deployment.kind, 'restart');
    assert.deepEqual(platform.sent.map((r) => [r.kind, r.request]), [['restart', { environment: 'production', approved: true }]]);
    assert.deepEqual(prompts.approvals.map((a) => [a.reason, a.action]), [['manifest', 'restart']]);
    const local = setup({}, MANIFEST('approval'));
    await restart(local.ctx, { service: 'orders', environment: 'local' });
    assert.deepEqual(local.prompts.asked, [], 'no approval outside production');
  });

  it('restart: the platform\'s approval-required is asked once and sent again with the same key', async () => {
    const { platform, prompts, ctx } = setup({ approve: [true] });
    platform.failNext = [approvalRequired()];
    await restart(ctx, { service: 'orders', environment: 'staging' });
    assert.equal(platform.sent.length, 2);
    assert.equal(platform.sent[0].idempotencyKey, platform.sent[1].idempotencyKey);
    assert.deepEqual(platform.sent[1].request, { environment: 'staging', approved: true });
    assert.deepEqual(prompts.approvals.map((a) => [a.reason, a.action]), [['platform', 'restart']]);
  });

  it('stop: approval from the manifest, or asked once when the platform requires it; declining sends nothing more', async () => {
    const a = setup({ approve: [true] }, MANIFEST('approval'));
    assert.equal((await stop(a.ctx, { service: 'orders', environment: 'production' })).changed, true);
    assert.deepEqual(a.platform.stops, [{ approved: true }]);
    const b = setup({ approve: [false] });
    b.platform.stopFailures = [approvalRequired()];
    await assert.rejects(stop(b.ctx, { service: 'orders', environment: 'staging' }), (e) => PavedError.is(e, 'cancelled'));
    assert.deepEqual(b.platform.stops, [{}]);
    assert.deepEqual(b.prompts.approvals.map((r) => [r.reason, r.action]), [['platform', 'stop']]);
  });

  it('a platform without live operations is refused at once, saying where to look', async () => {
    const { platform, ctx } = setup({});
    platform.capabilities = { ...BACKSTAGE_CAPABILITIES };
    await assert.rejects(restart(ctx, { service: 'orders', environment: 'local' }), (e) => PavedError.is(e, 'unsupported') && /need a Paved platform/.test(e.message));
    assert.deepEqual(platform.sent, []);
  });

  it('following logs: a dropped stream resumes after the last line — none lost, none twice — until stopped', async () => {
    const platform = new OperablePlatform();
    const line = (n: number): LogLine => ({ cursor: `1.1.${n * 10}`, at: new Date(n).toISOString(), stream: 'stdout', text: `line ${n}`, release: 'r-1' });
    const asked: (string | undefined)[] = [];
    const stopper = new AbortController();
    const script: (() => AsyncGenerator<LogLine>)[] = [
      async function* () {
        yield line(1);
        yield line(2);
        throw new PlatformError('unreachable', 'connection refused');
      },
      async function* () {
        yield line(3);
        throw new PlatformError('server-error', 'boom');
      },
      async function* () {
        yield line(4);
        stopper.abort();
      },
    ];
    (platform.operations as { followLogs: unknown }).followLogs = (_s: string, _e: string, o: { after?: string; tail?: number }) => {
      asked.push(o.after ?? `tail ${o.tail}`);
      return (script.shift() as () => AsyncGenerator<LogLine>)();
    };
    const got: string[] = [];
    const told: string[] = [];
    const last = await followLogs(platform, 'orders', 'local', {
      tail: 5,
      signal: stopper.signal,
      maxDelayMs: 1,
      observer: { line: (l) => got.push(l.text), reconnecting: (e, ms, n) => told.push(`retry ${n} in ${ms}: ${(e as Error).message}`), resumed: () => told.push('resumed') },
    });
    assert.deepEqual(got, ['line 1', 'line 2', 'line 3', 'line 4']);
    assert.deepEqual(asked, ['tail 5', '1.1.20', '1.1.30']);
    assert.deepEqual(told, ['retry 1 in 1: connection refused', 'resumed', 'retry 1 in 1: boom', 'resumed']);
    assert.equal(last, '1.1.40');
  });

  it('following logs ends with errors waiting cannot fix', async () => {
    const platform = new OperablePlatform();
    (platform.operations as { followLogs: unknown }).followLogs = () => {
      throw new PlatformError('not-found', 'no service nobody');
    };
    await assert.rejects(followLogs(platform, 'nobody', 'local', { signal: new AbortController().signal, observer: { line: () => undefined } }), /no service nobody/);
  });
});
