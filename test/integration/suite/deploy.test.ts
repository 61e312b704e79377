import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Deployment, DeploymentEvent } from '../../../src/core/api/types';
import type { DeployResult } from '../../../src/extension/deploy/deployCommands';
import type { ScaffoldResult } from '../../../src/extension/scaffold/scaffoldCommand';
import { api, nextEvent, restartLocalPlatform, ScriptedInputs } from './selfServiceHelpers';

const SERVICE = 'it-deploy';

function asDeployment(r: DeployResult | undefined): Deployment {
  assert.ok(r && !('refused' in r), `a deployment, not ${JSON.stringify(r)}`);
  return r;
}

/** Every event of a deployment, from the platform (the stream of a finished deployment ends). */
async function platformEvents(id: string): Promise<DeploymentEvent[]> {
  const backend = await (await api()).platform.current();
  const out: DeploymentEvent[] = [];
  for await (const ev of backend.deploymentEvents(id, { after: 0 })) out.push(ev);
  return out;
}

/** How a deployment's log shows an event (written out here, independently of the extension's formatter). */
function expectedLine(ev: DeploymentEvent): string {
  const text = `#${ev.seq} ${ev.step ? `[${ev.step}] ` : ''}${ev.message}`;
  return ev.type === 'log' || ev.type === 'failed' || ev.stream === 'stderr' ? text : `${ev.type}${ev.state ? ` → ${ev.state}` : ''}: ${text}`;
}

/** The seq numbers of the event lines in a log, in order. */
function eventSeqs(lines: readonly string[]): number[] {
  return lines.flatMap((l) => {
    const m = /^(?:\w+(?: → [\w-]+)?: )?#(\d+) /.exec(l);
    return m ? [Number(m[1])] : [];
  });
}

describe('Deploy, Roll Back, Promote in the extension host against the local platform', function () {
  this.timeout(240_000);
  let tmp: string;
  let folder: string;
  let manifest: string;
  let good: string;
  let first: Deployment;

  before(async () => {
    const p = await api();
    await p.selfService.testHooks.forgetLastOwner();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-it-deploy-'));
    folder = path.join(tmp, SERVICE);
    p.selfService.testHooks.setQuickInputs(
      new ScriptedInputs(p.selfService.testHooks, {
        template: { pick: 'Node.js HTTP service' },
        name: { type: SERVICE },
        owner: { pick: 'team-payments' },
        folder: { type: folder },
        review: [{ pick: '$(edit) Folder' }, { pick: '$(check) Create' }],
      }),
    );
    const created = await vscode.commands.executeCommand<ScaffoldResult | undefined>('paved.newService');
    assert.equal(created?.registered, SERVICE);
    manifest = path.join(folder, 'paved.yaml');
    good = fs.readFileSync(manifest, 'utf8');
  });

  afterEach(async () => {
    fs.writeFileSync(manifest, good);
    const p = await api();
    p.selfService.testHooks.setQuickInputs(undefined);
  });

  after(async () => {
    const p = await api();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const backend = await p.platform.current();
    await backend.unregister(SERVICE).catch((err: unknown) => console.log(`unregister: ${String(err)}`));
    fs.rmSync(tmp, { recursive: true, force: true });
    await restartLocalPlatform(p);
  });

  it('shows "Deploy to local | staging | production" on paved.yaml and deploys to local from the lens: the service answers on its port', async () => {
    const p = await api();
    const uri = vscode.Uri.file(manifest);
    await vscode.window.showTextDocument(uri);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)).filter((l) => l.command?.command === 'paved.deploy');
    assert.deepEqual(lenses.map((l) => l.command!.title), ['$(rocket) Deploy to local', 'staging', 'production (approval)']);
    assert.equal(lenses[0].range.start.line, good.split('\n').findIndex((l) => l.startsWith('metadata:')));

    const ended = nextEvent(p.selfService.deploy.onDidEnd, (e) => e.deployment.service === SERVICE, 120_000, 'the end of the deployment');
    first = asDeployment(await vscode.commands.executeCommand<DeployResult>('paved.deploy', ...(lenses[0].command!.arguments ?? [])));
    assert.equal(first.state, 'succeeded');
    assert.equal(first.environment, 'local');
    assert.ok(first.url && first.release);
    const res = await fetch(`${first.url}/healthz`);
    assert.equal(res.status, 200);
    const outcome = (await ended).outcome;
    assert.deepEqual(outcome, { severity: 'info', message: `${SERVICE} (${first.release}) is running in local at ${first.url}.`, actions: ['Open Service', 'View Logs'] });
    assert.deepEqual(p.selfService.deploy.records(), [], 'nothing left recorded once it ended');
  });

  it('gives each deployment of the same service its own log, named after it, with its own lines, kept after it ended', async () => {
    const p = await api();
    const a = asDeployment(await vscode.commands.executeCommand<DeployResult>('paved.deploy', { service: SERVICE, environment: 'local', release: first.release }));
    const b = asDeployment(await vscode.commands.executeCommand<DeployResult>('paved.deploy', { service: SERVICE, environment: 'local', release: first.release }));
    assert.deepEqual([a.state, b.state], ['succeeded', 'succeeded']);
    assert.notEqual(a.id, b.id);
    const logs = p.selfService.logs;
    assert.deepEqual(logs.ids().slice(-3), [first.id, a.id, b.id], 'one log per deployment, most recent last');
    for (const d of [first, a, b]) {
      const log = logs.get(d.id);
      assert.ok(log, `a log for ${d.id}`);
      assert.equal(log.name, `Paved: ${SERVICE} → local #${d.id}`);
      const events = await platformEvents(d.id);
      assert.equal(events[events.length - 1].type, 'completed');
      assert.deepEqual(log.lines, [`deploy ${SERVICE} → local: deployment ${d.id}`, ...events.map(expectedLine), 'finished: succeeded']);
      assert.equal(log.shownSeq, events.length);
    }
    assert.ok(!logs.get(a.id)!.lines.some((l) => l.includes(b.id)) && !logs.get(b.id)!.lines.some((l) => l.includes(a.id)), 'no line of one deployment in the other’s log');
    // "Show Log" (Deployments view, notification link, "View Logs") shows that same log.
    const shown = await vscode.commands.executeCommand<{ name: string }>('paved.deployments.showLog', a.id);
    assert.equal(shown?.name, `Paved: ${SERVICE} → local #${a.id}`);
    assert.equal(logs.ids().at(-1), a.id, 'showing a log makes it the most recently used');
  });

  it('keeps only the most recent deployment logs: beyond the cap the oldest are disposed; Show Log from the Deployments view reopens one from the platform', async () => {
    const p = await api();
    const logs = p.selfService.logs;
    const before = logs.ids();
    assert.ok(before.length >= 3, `logs so far: ${before.join(', ')}`);
    const disposed: string[] = [];
    const sub = logs.onDidDisposeLog((e) => disposed.push(e.id));
    try {
      p.selfService.testHooks.setMaxDeploymentLogs(2);
      assert.deepEqual(disposed, before.slice(0, -2), 'the least recently used are disposed, oldest first');
      assert.deepEqual(logs.ids(), before.slice(-2));
      assert.equal(logs.get(first.id), undefined);

      // The Deployments view lists the first deployment; its context menu's Show Log brings a complete log back.
      const node = (await p.deployments.getChildren()).find((n) => n.kind === 'deployment' && n.deployment.id === first.id);
      assert.ok(node, 'the Deployments view shows the first deployment');
      assert.match(p.deployments.getTreeItem(node).contextValue ?? '', /^deployment\+finished$/, 'the item the "Show Log" context action applies to');
      const reopened = await vscode.commands.executeCommand<{ name: string; lines: string[] }>('paved.deployments.showLog', node);
      const events = await platformEvents(first.id);
      assert.deepEqual(reopened?.lines, [`deploy ${SERVICE} → local: deployment ${first.id}`, ...events.map(expectedLine)]);
      assert.deepEqual(logs.ids(), [before.at(-1), first.id]);
      assert.deepEqual(disposed, [...before.slice(0, -2), before.at(-2)], 'reopening one disposed the then least recently used');
    } finally {
      sub.dispose();
      p.selfService.testHooks.setMaxDeploymentLogs(20);
    }
  });

  it('refuses a manifest with policy errors and lists the problems', async () => {
    fs.writeFileSync(manifest, good.replace('port: 8080', 'port: "eighty"'));
    const line = good.split('\n').findIndex((l) => l.includes('port: 8080')) + 1;
    const col = good.split('\n')[line - 1].indexOf('8080') + 1;
    const result = await vscode.commands.executeCommand<DeployResult>('paved.deploy', { service: SERVICE, environment: 'local', manifestUri: vscode.Uri.file(manifest).toString() });
    assert.deepEqual(result, { refused: [`${line}:${col} Incorrect type: spec.run.port must be an integer, not a string. (schema/type)`] });
  });

  it('shows an automatic rollback when the new release fails its health check; the old release keeps serving', async () => {
    const p = await api();
    fs.writeFileSync(manifest, good.replace('health: { path: /healthz }', 'health: { path: /missing }'));
    const ended = nextEvent(p.selfService.deploy.onDidEnd, (e) => e.deployment.service === SERVICE, 120_000, 'the end of the deployment');
    const d = asDeployment(await vscode.commands.executeCommand<DeployResult>('paved.deploy', { service: SERVICE, environment: 'local', healthTimeoutSeconds: 2 }));
    assert.equal(d.state, 'rolled-back');
    assert.equal(d.automaticRollback, true);
    assert.equal(d.previousRelease, first.release);
    const { outcome } = await ended;
    assert.equal(outcome.severity, 'warning');
    assert.match(outcome.message, new RegExp(`^Deployment of ${SERVICE} to local failed: .+\\. Automatic rollback: ${first.release} keeps serving\\.$`));
    assert.equal((await fetch(`${first.url}/healthz`)).status, 200);
  });

  it('cancels a running deployment on the platform too', async () => {
    const p = await api();
    fs.writeFileSync(manifest, good.replace('health: { path: /healthz }', 'health: { path: /missing }'));
    const checking = nextEvent<{ key: string; event: DeploymentEvent }>(p.selfService.deploy.onDidSeeEvent, (e) => e.event.state === 'health-checking', 120_000, 'health-checking');
    const running = vscode.commands.executeCommand<DeployResult>('paved.deploy', { service: SERVICE, environment: 'local', healthTimeoutSeconds: 120 });
    const { key } = await checking;
    const id = p.selfService.deploy.records().find((r) => r.key === key)?.id;
    assert.ok(id, 'the deployment is recorded with its id');
    // With a cap of 1, the log of the running deployment stays while it runs, though another log is opened after it.
    const logs = p.selfService.logs;
    p.selfService.testHooks.setMaxDeploymentLogs(1);
    try {
      assert.deepEqual(logs.ids(), [id]);
      await vscode.commands.executeCommand('paved.deployments.showLog', first.id);
      assert.deepEqual(logs.ids(), [id, first.id], 'the running deployment’s log is not disposed');
      assert.equal(p.selfService.deploy.cancel(id), true);
      const d = asDeployment(await running);
      assert.equal(d.state, 'cancelled');
      assert.deepEqual(logs.ids(), [first.id], 'once it ended, the cap applies to it too');
    } finally {
      p.selfService.testHooks.setMaxDeploymentLogs(20);
    }
    const backend = await p.platform.current();
    assert.equal((await backend.getDeployment(id)).state, 'cancelled');
    assert.equal((await fetch(`${first.url}/healthz`)).status, 200);
  });

  it('survives a reload during a deployment: the recreated component re-attaches and resumes after the last seen event', async () => {
    const p = await api();
    const old = p.selfService.deploy;
    const started = nextEvent<{ key: string; event: DeploymentEvent }>(old.onDidSeeEvent, (e) => e.event.state === 'building', 120_000, 'building');
    const running = vscode.commands.executeCommand<DeployResult>('paved.deploy', { service: SERVICE, environment: 'local' });
    const { key } = await started;
    // "Reload": the deploy component goes away mid-stream and a new one is built from the recorded state.
    const fresh = p.selfService.testHooks.recreateDeploy();
    const seen: number[] = [];
    const types: string[] = [];
    const sub = fresh.onDidSeeEvent((e) => {
      if (e.key !== key) return;
      seen.push(e.event.seq);
      types.push(e.event.type);
    });
    const ended = nextEvent(fresh.onDidEnd, (e) => e.deployment.service === SERVICE, 120_000, 're-attached deployment end');
    const record = (await fresh.reattached).find((r) => r.key === key);
    assert.ok(record?.id, 'recorded with its id before the reload');
    // What was stored before the reload (saves trail the stream by at most a few events): resume right after it.
    assert.ok(record.lastSeq < 10, `stored seq ${record.lastSeq} is from before the deployment finished`);
    const { deployment } = await ended;
    sub.dispose();
    assert.equal(await running, undefined, 'the old window’s command ended without a result');
    assert.equal(deployment.id, record.id);
    assert.equal(deployment.state, 'succeeded');
    assert.equal(seen[0], record.lastSeq + 1, 'resumed right after the last seen event');
    assert.deepEqual(seen, seen.map((_s, i) => record.lastSeq + 1 + i));
    assert.equal(types[types.length - 1], 'completed', 'the re-attached stream delivered the end of the live deployment');
    assert.deepEqual(fresh.records(), []);
    // The deployment's log continues where it was: every event once, in order, the re-attach noted once.
    const log = p.selfService.logs.get(record.id);
    assert.ok(log);
    const events = await platformEvents(record.id);
    assert.deepEqual(eventSeqs(log.lines), events.map((e) => e.seq));
    const reattachedAt = log.lines.findIndex((l) => l.startsWith('re-attached'));
    const shownBefore = eventSeqs(log.lines.slice(0, Math.max(0, reattachedAt))).length;
    assert.ok(shownBefore >= record.lastSeq, `the log showed ${shownBefore} events before the reload, the record says ${record.lastSeq}`);
    assert.deepEqual(
      log.lines.filter((l) => eventSeqs([l]).length === 0),
      [`deploy ${SERVICE} → local: deployment ${record.id}`, ...(record.lastSeq > 0 ? [`re-attached: continuing after event ${shownBefore}`] : []), 'finished: succeeded'],
    );
  });

  it('rolls back to the release that served before', async () => {
    const p = await api();
    const backend = await p.platform.current();
    const before = (await backend.getService(SERVICE)).environments.find((e) => e.environment === 'local');
    assert.ok(before?.release && before.release !== first.release, 'a newer release serves now');
    const d = asDeployment(await vscode.commands.executeCommand<DeployResult>('paved.rollback', { service: SERVICE, environment: 'local' }));
    assert.deepEqual([d.kind, d.state, d.release], ['rollback', 'succeeded', first.release]);
    assert.equal((await fetch(`${d.url}/healthz`)).status, 200);
  });

  it('deploys from the catalog context menu, picking the environment and an earlier release', async () => {
    const p = await api();
    await p.catalog.setFilter(SERVICE);
    const text = (n: Parameters<typeof p.catalog.getTreeItem>[0]) => {
      const l = p.catalog.getTreeItem(n).label;
      return typeof l === 'string' ? l : (l?.label ?? '');
    };
    // Filtered, the catalog lists the matching services flat.
    const roots = await p.catalog.getChildren();
    assert.deepEqual(roots.map(text), [SERVICE]);
    const node = roots[0];
    assert.match(p.catalog.getTreeItem(node).contextValue ?? '', /deployable/, 'the context menu offers Deploy');
    const inputs = new ScriptedInputs(p.selfService.testHooks, { environment: { pick: 'local' }, release: { pick: first.release! } });
    p.selfService.testHooks.setQuickInputs(inputs);
    try {
      const d = asDeployment(await vscode.commands.executeCommand<DeployResult>('paved.deploy', node));
      assert.deepEqual([d.environment, d.state, d.release], ['local', 'succeeded', first.release]);
      assert.deepEqual(inputs.asked.map((a) => a.id), ['environment', 'release']);
      assert.deepEqual(inputs.asked[0].shown, ['local', 'staging', 'production']);
      assert.equal((inputs.asked[1].shown as string[])[0], '$(package) New release');
    } finally {
      await p.catalog.setFilter('');
    }
  });

  it('promotes local → staging, and staging → production after the approval the manifest requires', async () => {
    const p = await api();
    const staging = asDeployment(await vscode.commands.executeCommand<DeployResult>('paved.promote', { service: SERVICE, environment: 'local' }));
    assert.deepEqual([staging.kind, staging.environment, staging.state, staging.release], ['promote', 'staging', 'succeeded', first.release]);

    const refuse = new ScriptedInputs(p.selfService.testHooks, { confirm: { dismiss: true } });
    p.selfService.testHooks.setQuickInputs(refuse);
    assert.equal(await vscode.commands.executeCommand('paved.promote', { service: SERVICE, environment: 'staging' }), undefined);
    assert.deepEqual(refuse.asked.map((a) => a.shown), [`Deploy ${SERVICE} to production?`]);

    p.selfService.testHooks.setQuickInputs(new ScriptedInputs(p.selfService.testHooks, { confirm: { button: 'Approve and Deploy' } }));
    const prod = asDeployment(await vscode.commands.executeCommand<DeployResult>('paved.promote', { service: SERVICE, environment: 'staging' }));
    assert.deepEqual([prod.environment, prod.state, prod.release], ['production', 'succeeded', first.release]);
    assert.equal((await fetch(`${prod.url}/healthz`)).status, 200);
  });
});
