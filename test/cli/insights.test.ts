/**
 * `paved insights` as real processes against a real `paved serve` with a seeded history: the tables a platform team
 * reads, JSON for scripts, a team's view, the feedback inbox, and usage errors. Run: npm run test:cli
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DeliveryInsights } from '../../src/core/insights';
import { call, portBase, serve, tempDir, writeService, type Served } from '../contract/helpers';
import { buildCli, runCli, type CliRun } from './helpers';

const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['PAVED_TOKEN', 'PAVED_BACKEND', 'PAVED_URL'].includes(k)));
const H = 3600_000;
const D = 24 * H;

describe('paved insights: tables and JSON from a real platform', function () {
  this.timeout(180_000);
  let bundle = '';
  let served: Served;
  let stateDir: string;
  let ws: string;
  const paved = (args: string[]): Promise<CliRun> => runCli(bundle, args, { cwd: ws, env: { ...cleanEnv, PAVED_STATE_DIR: stateDir } });

  before(async () => {
    bundle = buildCli('insights');
    ws = tempDir('cli-insights-ws');
    writeService(path.join(ws, 'pay'), 'pay', { owner: 'payments' });
    writeService(path.join(ws, 'web'), 'web', { owner: 'web' });
    const now = Date.now();
    let n = 0;
    const rec = (service: string, kind: string, state: string, ago: number) => ({
      service, environment: 'production', kind, state, release: `r-20261101T000000Z-${String(++n).padStart(6, '0')}`, releaseCreatedAt: new Date(now - ago - 2 * H).toISOString(), createdAt: new Date(now - ago - 60_000).toISOString(), finishedAt: new Date(now - ago).toISOString(),
    });
    const history = [rec('pay', 'deploy', 'succeeded', 10 * D), rec('pay', 'deploy', 'failed', 9 * D), rec('pay', 'rollback', 'succeeded', 9 * D - H), rec('web', 'deploy', 'succeeded', 3 * D), rec('web', 'deploy', 'succeeded', 90 * D)];
    const file = path.join(tempDir('cli-insights-history'), 'history.json');
    fs.writeFileSync(file, JSON.stringify(history));
    stateDir = tempDir('cli-insights-state');
    served = await serve(['--port', '0', '--state-dir', stateDir, '--workspace', ws, '--seed-history', file, '--port-base', String(portBase()), '--idle-timeout', '0'], {}, bundle);
  });
  after(async () => {
    await served?.stop();
    for (const d of [ws, stateDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
    fs.rmSync(bundle, { force: true });
  });

  it('delivery: a table per week with the total and one row per team', async () => {
    const r = await paved(['insights', 'delivery', '--since', '4w']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Delivery in production \(lead time from release snapshot/);
    assert.match(r.stdout, /WEEK\s+DEPLOYS\s+PER DAY\s+LEAD TIME\s+FAIL RATE\s+RECOVERY\s+REWORK/);
    // 2 successful deploys in 28 days, lead 2 h each, 1 of 3 changes failed, recovered in 1 h, 1 rework of 4.
    assert.match(r.stdout, /\ntotal\s+2\s+0\.07\s+2\.0h \/ 2\.0h\s+33%\s+60m \/ 60m\s+25%\n/);
    assert.match(r.stdout, /\npayments\s+1\s/);
    assert.match(r.stdout, /\nweb\s+1\s/);
  });

  it('--json prints the platform’s answer; --team keeps one team; the 90-day-old deployment counts with --since 13w', async () => {
    const r = await paved(['insights', 'delivery', '--team', 'web', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const d = JSON.parse(r.stdout) as DeliveryInsights;
    assert.equal(d.team, 'web');
    assert.equal(d.total.deployments, 1);
    const wide = JSON.parse((await paved(['insights', 'delivery', '--team', 'web', '--since', '13w', '--json'])).stdout) as DeliveryInsights;
    assert.equal(wide.total.deployments, 2);
  });

  it('feedback: the inbox newest first with its state; every section without one', async () => {
    await call(served, 'POST', '/v1/feedback', { body: { message: 'please add logs', category: 'idea', service: 'web', from: 'bo' } });
    const r = await paved(['insights', 'feedback']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Feedback: 1 \(1 new, 0 acknowledged, 0 done\)/);
    assert.match(r.stdout, /new\s+idea\s+web\s+bo\s+please add logs/);
    const all = await paved(['insights']);
    assert.equal(all.code, 0, all.stderr);
    for (const head of [/^Golden paths: 0 of 2 services; 2 on none/m, /^Scaffold task → first healthy deployment/m, /^Delivery in production/m, /^Compliance: \d of 2 services/m, /^Feedback: 1/m]) assert.match(all.stdout, head);
  });

  it('usage errors exit 2 and say what is wrong', async () => {
    const bad = await paved(['insights', 'velocity']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown section 'velocity': one of adoption, onboarding, delivery, compliance, feedback/);
    const since = await paved(['insights', 'delivery', '--since', 'last tuesday']);
    assert.equal(since.code, 2);
    assert.match(since.stderr, /--since takes a date \(2026-10-01\) or a span \(30d, 12w\)/);
  });
});
