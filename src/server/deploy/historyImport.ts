/**
 * Finished deployments recorded without running anything: for seeding a history (tests of DORA numbers, demos).
 * Exposed only through `paved serve --seed-history FILE`, never over HTTP.
 */
import * as fs from 'node:fs';
import { parse } from 'yaml';
import type { DeploymentKind, DeploymentState } from '../../core/api/types';
import { PavedError } from '../../core/errors';
import { newId } from '../ids';
import type { DeploymentHistory, DeploymentRecord } from './history';
import type { ReleaseStore } from './releases';

export interface HistoryRecord {
  service: string;
  environment: string;
  kind: DeploymentKind;
  state: DeploymentState;
  release: string;
  releaseCreatedAt: string;
  createdAt: string;
  finishedAt: string;
}

/** Reads `paved serve --seed-history` input: a YAML list of finished deployments. */
export function readHistoryFile(file: string): HistoryRecord[] {
  const doc = parse(fs.readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(doc)) throw new PavedError('invalid-input', `${file}: must be a list of deployments`);
  return doc as HistoryRecord[];
}

export function importHistory(records: readonly HistoryRecord[], history: DeploymentHistory, releases: ReleaseStore): void {
  for (const r of records) {
    const d: DeploymentRecord = { id: newId('d', new Date(r.createdAt)), service: r.service, environment: r.environment, kind: r.kind, state: r.state, release: r.release, createdAt: r.createdAt, startedAt: r.createdAt, finishedAt: r.finishedAt };
    if (r.state === 'rolled-back') d.automaticRollback = true;
    const log = history.open(d);
    log.push({ type: 'completed', message: 'imported history', state: r.state });
    log.finish();
    releases.remember({ id: r.release, service: r.service, createdAt: r.releaseCreatedAt, dir: '' });
  }
}
