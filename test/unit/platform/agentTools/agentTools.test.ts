import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { errorText } from '../../../../src/core/cleanText';
import { PavedError } from '../../../../src/core/errors';
import { AGENT_TOOLS, agentTool, runAgentTool, toolErrorText, type AgentToolContext } from '../../../../src/platform/agentTools';
import { errorForStatus } from '../../../../src/platform/errors';
import { FakePlatform, MANIFEST } from '../selfService/fakes';

const tool = (name: string) => {
  const t = agentTool(name);
  assert.ok(t, `${name} is defined`);
  return t;
};

function context(platform: FakePlatform, folders: string[] = [os.tmpdir()], trusted = true): AgentToolContext {
  return { backend: async () => platform, workspaceFolders: folders, trusted, approvalHint: (op) => `run "Paved: Deploy…" or \`paved ${op.kind} ${op.service} --env ${op.environment} --approve\`.` };
}

async function failure(p: Promise<unknown>): Promise<PavedError> {
  try {
    await p;
  } catch (err) {
    assert.ok(PavedError.is(err), `a typed error, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the tool to fail');
}

describe('agent tools: the definitions both faces serve', () => {
  it('names each tool once, paved_-prefixed, with a reference name, a model-length description and a kind', () => {
    const names = AGENT_TOOLS.map((t) => t.name);
    assert.equal(new Set(names).size, names.length);
    assert.equal(new Set(AGENT_TOOLS.map((t) => t.referenceName)).size, names.length);
    for (const t of AGENT_TOOLS) {
      assert.match(t.name, /^paved_[a-z_]+$/);
      assert.ok(t.description.length > 80, `${t.name} says what it does and returns`);
      assert.equal(t.inputSchema.type, 'object');
      assert.equal(t.outputSchema.type, 'object');
      assert.equal(t.kind === 'read', t.confirmation === undefined, `${t.name}: writes confirm, reads do not`);
      if (t.kind === 'read') assert.ok(t.idempotent, `${t.name}: a read is idempotent`);
    }
    assert.deepEqual(AGENT_TOOLS.filter((t) => t.kind !== 'read').map((t) => [t.name, t.kind]), [
      ['paved_scaffold_service', 'write'],
      ['paved_deploy', 'write'],
      ['paved_rollback', 'destructive'],
      ['paved_promote', 'write'],
    ]);
  });

  it('confirmations name the action', () => {
    assert.equal(tool('paved_deploy').confirmation!({ service: 'payments-api', environment: 'staging', release: 'r12' }).message, 'Deploy payments-api release r12 to staging');
    assert.equal(tool('paved_rollback').confirmation!({ service: 'orders', environment: 'production' }).message, 'Roll back orders in production to its previous release');
    assert.match(tool('paved_scaffold_service').confirmation!({ goldenPath: 'node-http-service', values: { name: 'orders-api' } }).message, /^Create orders-api from the golden path node-http-service/);
  });

  it('refuses input that does not fit the schema before anything runs, naming what is wrong', async () => {
    const platform = new FakePlatform('https://paved.example.com', { orders: { manifest: MANIFEST() } });
    const missing = await failure(runAgentTool(tool('paved_deploy'), context(platform), { service: 'orders' }));
    assert.equal(missing.code, 'invalid-input');
    assert.match(missing.message, /must have required property 'environment'/);
    const extra = await failure(runAgentTool(tool('paved_deploy'), context(platform), { service: 'orders', environment: 'local', approved: true }));
    assert.match(extra.message, /has no property "approved"/);
    assert.equal(platform.sent.length, 0);
  });

  it('runs no write in an untrusted workspace; reads still run', async () => {
    const platform = new FakePlatform('https://paved.example.com', { orders: { manifest: MANIFEST() } });
    const err = await failure(runAgentTool(tool('paved_deploy'), context(platform, [os.tmpdir()], false), { service: 'orders', environment: 'local' }));
    assert.equal(err.code, 'untrusted');
    assert.equal(platform.sent.length, 0);
    const read = await runAgentTool(tool('paved_search_services'), context(platform, [os.tmpdir()], false), {});
    assert.deepEqual((read.data.services as { ref: string }[]).map((s) => s.ref), ['orders']);
  });

  it('deploys through the flow, never approved by the agent', async () => {
    const platform = new FakePlatform('https://paved.example.com', { orders: { manifest: MANIFEST() } });
    const r = await runAgentTool(tool('paved_deploy'), context(platform), { service: 'orders', environment: 'staging' });
    assert.deepEqual(platform.sent.map((s) => [s.kind, s.service, s.request]), [['deploy', 'orders', { environment: 'staging' }]]);
    assert.match(r.summary, /^Deployment d-1 started: deploy orders → staging/);
    assert.equal((r.data.deployment as { id: string }).id, 'd-1');
  });

  it('a deployment the manifest makes need approval is refused, saying a person must approve it and how', async () => {
    const platform = new FakePlatform('https://paved.example.com', { orders: { manifest: MANIFEST('approval') } });
    const err = await failure(runAgentTool(tool('paved_deploy'), context(platform), { service: 'orders', environment: 'production' }));
    assert.equal(err.code, 'forbidden');
    assert.match(err.message, /an agent cannot give it\. A person must approve it: run "Paved: Deploy…" or `paved deploy orders --env production --approve`/);
    assert.equal(platform.sent.length, 0, 'nothing sent');
  });

  it("the platform's approval-required answer is not retried with approved: true", async () => {
    const platform = new FakePlatform('https://paved.example.com', { orders: { manifest: MANIFEST() } });
    platform.failNext = [errorForStatus(403, { kind: 'problem', message: 'needs approval', problem: { type: 'https://paved.dev/problems/approval-required', status: 403 } }, {})];
    const err = await failure(runAgentTool(tool('paved_promote'), context(platform), { service: 'orders', from: 'staging' }));
    assert.equal(err.code, 'forbidden');
    assert.match(err.message, /The platform requires a person's approval to deploy orders to production/);
    assert.deepEqual(platform.sent.map((s) => s.request), [{ from: 'staging', to: 'production' }]);
  });

  it('the policy gate refuses a broken manifest: nothing is sent, the error lists the findings', async () => {
    const platform = new FakePlatform('https://paved.example.com', { orders: { manifest: MANIFEST('bad-port') } });
    const err = await failure(runAgentTool(tool('paved_deploy'), context(platform), { service: 'orders', environment: 'local' }));
    assert.equal(err.code, 'invalid-input');
    assert.match(err.message, /^Refused: orders's manifest has \d+ policy error\(s\) for local; nothing was deployed/);
    assert.match(err.message, /port/);
    assert.equal(platform.sent.length, 0);
  });

  it('reads a running deployment with the events so far, a finished one with its last events', async () => {
    const platform = new FakePlatform('https://paved.example.com', { orders: { manifest: MANIFEST() } });
    await runAgentTool(tool('paved_deploy'), context(platform), { service: 'orders', environment: 'local' });
    // A batch of output is one event: each of its lines is its own entry, with the event's prefix.
    platform.deployment('d-1').push('log', 'npm run build\nbuilt in 2 s');
    const running = await runAgentTool(tool('paved_get_deployment'), context(platform), { id: 'd-1' });
    assert.deepEqual(running.data.events, ['#1 state: pending', '#2 npm run build', '#2 built in 2 s']);
    platform.deployment('d-1').finish('succeeded');
    const done = await runAgentTool(tool('paved_get_deployment'), context(platform), { id: 'd-1', events: 2 });
    assert.deepEqual(done.data.events, ['#2 built in 2 s', '#3 completed: ended succeeded']);
    assert.match(done.summary, /is succeeded/);
  });

  it('an unknown service is the typed not-found error, told as the CLI tells it', async () => {
    const platform = new FakePlatform('https://paved.example.com', {});
    const err = await failure(runAgentTool(tool('paved_get_service'), context(platform), { service: 'nope' }));
    assert.equal(err.code, 'not-found');
    const { message, detail } = errorText(err);
    assert.equal(toolErrorText(err), `Error (not-found): ${message}\n(${detail})`);
    assert.equal(detail, 'HTTP 404');
  });
});

describe('agent tools: lint and the workspace boundary', () => {
  let work: string;
  let outside: string;
  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-agent-ws-'));
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-agent-out-'));
    fs.writeFileSync(path.join(outside, 'paved.yaml'), 'apiVersion: paved.dev/v1\n');
    fs.symlinkSync(outside, path.join(work, 'escape'));
    fs.mkdirSync(path.join(work, 'svc'));
    fs.writeFileSync(path.join(work, 'svc', 'paved.yaml'), 'apiVersion: paved.dev/v1\nkind: Service\nmetadata:\n  name: svc\n  owner: team-a\nspec:\n  run:\n    port: eighty\n');
  });
  after(() => {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('lints a workspace file with findings on their lines and columns, rule ids and docs links', async () => {
    const r = await runAgentTool(tool('paved_lint_manifest'), context(new FakePlatform('x'), [work]), { path: 'svc/paved.yaml' });
    assert.equal(r.data.file, 'svc/paved.yaml');
    const findings = r.data.findings as { line: number; column: number; ruleId: string; severity: string }[];
    const port = findings.find((f) => f.line === 8);
    assert.ok(port, JSON.stringify(findings));
    assert.equal(port.column, 11);
    assert.equal(port.severity, 'error');
    assert.ok((r.data.errors as number) >= 1);
  });

  it('lints text the agent is about to write', async () => {
    const r = await runAgentTool(tool('paved_lint_manifest'), context(new FakePlatform('x'), [work]), { text: 'apiVersion: paved.dev/v1\nkind: Service\nmetadata: [\n' });
    assert.equal(r.data.file, '(text) paved.yaml');
    assert.ok((r.data.findings as { ruleId: string }[]).some((f) => f.ruleId.startsWith('yaml/')));
  });

  it('refuses a path outside the workspace, also through a symbolic link', async () => {
    for (const p of [path.join(outside, 'paved.yaml'), '../' + path.basename(outside) + '/paved.yaml', 'escape/paved.yaml']) {
      const err = await failure(runAgentTool(tool('paved_lint_manifest'), context(new FakePlatform('x'), [work]), { path: p }));
      assert.equal(err.code, 'forbidden', p);
      assert.match(err.message, /is outside the workspace/);
    }
  });
});

describe("agent tools: the repository's policies", () => {
  let work: string;
  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-agent-pol-'));
    fs.mkdirSync(path.join(work, '.paved'));
    fs.writeFileSync(path.join(work, '.paved', 'policies.yaml'), 'apiVersion: paved.dev/v1\nkind: PolicySet\nmetadata:\n  name: repo\nrules:\n  - id: repo-needs-system\n    severity: error\n    condition: { properties: { metadata: { required: [system] } } }\n    message: Every service names its system.\n');
    fs.writeFileSync(path.join(work, 'paved.yaml'), 'apiVersion: paved.dev/v1\nkind: Service\nmetadata:\n  name: svc\n  owner: team-a\nspec:\n  run: { command: node s.js, port: 8080 }\n');
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it("merges the repository's .paved/policies.yaml when trusted, and leaves it out when not", async () => {
    const lint = tool('paved_lint_manifest');
    const trusted = await runAgentTool(lint, context(new FakePlatform('x'), [work]), { path: 'paved.yaml' });
    assert.ok((trusted.data.findings as { ruleId: string }[]).some((f) => f.ruleId === 'repo-needs-system'), JSON.stringify(trusted.data));
    assert.match(trusted.data.policySet as string, /^policy set "paved-default \+ repo" \S+ of Paved platform \(x\)$/);
    const untrusted = await runAgentTool(lint, context(new FakePlatform('x'), [work], false), { path: 'paved.yaml' });
    assert.ok(!(untrusted.data.findings as { ruleId: string }[]).some((f) => f.ruleId === 'repo-needs-system'));
  });
});
