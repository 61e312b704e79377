/**
 * Sample data for the Platform Insights dashboard in `npm start`'s demo: 12 weeks of deployments of the demo
 * workspace's services, two scaffold tasks, weekly compliance snapshots and a few feedback messages, written once into
 * the demo's own state dir (never a real one) through the platform's own stores. Every feedback message is from
 * "sample data" and every deployment's event log says "imported history", so nothing passes for real history.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ScaffoldTask } from '../../src/core/api/types';
import type { ComplianceSnapshot } from '../../src/core/insights';
import type { HistoryRecord } from '../../src/server/deploy/historyImport';
import { LocalPlatform } from '../../src/server/platform';

const DAY = 86_400_000;
const SERVICES: [string, number, number][] = [
  // name, deployments a week, failure share
  ['payments-api', 6, 0.12],
  ['ledger', 3, 0.05],
  ['checkout-web', 8, 0.2],
  ['search', 2, 0.0],
  ['legacy-reports', 1, 0.3],
];

export const SAMPLE_MARKER = 'sample-insights.seeded';

/** Seeds `stateDir` once (the demo `workspace` is its catalog while seeding) (a marker file remembers it); returns false when it was seeded before. */
export async function seedSampleInsights(stateDir: string, workspace: string, now = new Date()): Promise<boolean> {
  const marker = path.join(stateDir, SAMPLE_MARKER);
  if (fs.existsSync(marker)) return false;
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const start = now.getTime() - 84 * DAY;
  const records: HistoryRecord[] = [];
  let n = 0;
  for (const [service, perWeek, failShare] of SERVICES) {
    for (let t = start + rnd() * DAY; t < now.getTime() - DAY; t += (7 * DAY) / perWeek) {
      const release = `r-${new Date(t).toISOString().replace(/[-:]/g, '').slice(0, 15)}Z-${String(++n).padStart(6, '0')}`;
      const releaseCreatedAt = new Date(t - (0.5 + rnd() * 30) * 3600_000).toISOString();
      const at = (ms: number) => new Date(ms).toISOString();
      for (const [env, offset] of [['local', 0], ['staging', 0.2 * DAY], ['production', 0.6 * DAY]] as const) {
        const finished = t + offset;
        const failed = env === 'production' && rnd() < failShare;
        records.push({ service, environment: env, kind: env === 'production' ? 'promote' : 'deploy', state: failed ? 'rolled-back' : 'succeeded', release, releaseCreatedAt, createdAt: at(finished - 120_000), finishedAt: at(finished) });
        if (failed) records.push({ service, environment: env, kind: 'rollback', state: 'succeeded', release, releaseCreatedAt, createdAt: at(finished + 600_000), finishedAt: at(finished + (0.3 + rnd() * 3) * 3600_000) });
      }
    }
  }
  records.sort((a, b) => (a.finishedAt < b.finishedAt ? -1 : 1));
  const platform = new LocalPlatform({ stateDir, workspaces: [workspace], templateRoots: [], now: () => now });
  await platform.load();
  try {
    platform.deployments.importHistory(records);
    const messages: [string, 'bug' | 'idea' | 'question' | 'praise', string | undefined][] = [
      ['Sample: deploys to staging wait a long time for the health check', 'bug', 'payments-api'],
      ['Sample: a golden path for a scheduled job with a database', 'idea', undefined],
      ['Sample: how do I waive the runbook rule for a prototype?', 'question', 'search'],
      ['Sample: the catalog in the editor saves me a tab', 'praise', undefined],
    ];
    for (const [message, category, service] of messages) platform.feedback.create({ message, category, from: 'sample data', ...(service ? { service } : {}) });
  } finally {
    await platform.stop();
  }
  // Two services "scaffolded" before their first deployment: onboarding times.
  const tasksDir = path.join(stateDir, 'tasks');
  fs.mkdirSync(tasksDir, { recursive: true });
  for (const [i, name] of ['checkout-web', 'search'].entries()) {
    const first = records.find((r) => r.service === name) as HistoryRecord;
    const created = new Date(Date.parse(first.finishedAt) - (2 + i * 5) * 3600_000).toISOString();
    const task: ScaffoldTask = { id: `t-sample-${i}`, templateId: 'node-http-service', templateVersion: '1.3.0', values: { name, owner: 'sample' }, state: 'succeeded', createdAt: created, finishedAt: created };
    fs.writeFileSync(path.join(tasksDir, `${task.id}.json`), JSON.stringify(task));
  }
  // Weekly compliance snapshots (the platform adds today's real one when asked).
  const snaps: ComplianceSnapshot[] = [];
  for (let w = 12; w >= 1; w--) {
    const ok = Math.min(5, 2 + Math.floor((12 - w) / 4));
    snaps.push({ at: new Date(now.getTime() - w * 7 * DAY).toISOString(), teams: { sample: { services: 5, compliant: ok, mandatoryFailures: 5 - ok } } });
  }
  fs.mkdirSync(path.join(stateDir, 'insights'), { recursive: true });
  fs.writeFileSync(path.join(stateDir, 'insights', 'compliance.jsonl'), snaps.map((s) => JSON.stringify(s) + '\n').join(''));
  fs.writeFileSync(marker, `${now.toISOString()}\n`);
  return true;
}
