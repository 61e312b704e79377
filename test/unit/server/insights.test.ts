import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { HistoryRow } from '../../../src/core/insights';
import { FeedbackStates } from '../../../src/server/insights/feedbackStates';
import { PlatformInsights, type InsightSources } from '../../../src/server/insights/insights';
import { ComplianceSnapshots } from '../../../src/server/insights/snapshots';
import { tempDir } from './fakes';

describe('server/insights: the deployment history in columns', () => {
  const now = Date.parse('2026-03-10T00:00:00.000Z');
  const at = (day: number) => Date.parse(`2026-03-0${day}T12:00:00.000Z`);

  /** A platform whose finished deployments are `rows` (in the order they finished), read as the platform reads them. */
  function platform(rows: HistoryRow[]): { insights: PlatformInsights; read: number[] } {
    const read: number[] = [];
    const src: InsightSources = {
      catalog: { entries: () => [] },
      templates: { all: () => [] },
      tasks: { all: () => [] },
      deployments: {
        get finishedCount() {
          return rows.length;
        },
        *finishedRows(from = 0) {
          for (let i = from; i < rows.length; i++) {
            read.push(i);
            yield rows[i];
          }
        },
      },
      environments: [],
      feedback: { all: () => [], get: () => assert.fail('no feedback here') },
      policy: { rules: () => [], evaluate: () => undefined },
      now: () => new Date(now),
    };
    const dir = tempDir('insights');
    return { insights: new PlatformInsights(src, new FeedbackStates(path.join(dir, 'states.jsonl'), () => new Date(now)), new ComplianceSnapshots(path.join(dir, 'snaps.jsonl'))), read };
  }

  it('reads each finished deployment once; a request after more finished counts them too', () => {
    const rows: HistoryRow[] = [
      { service: 'api', environment: 'production', kind: 'deploy', state: 'succeeded', finishedAt: at(1), releaseCreatedAt: at(1) - 3600_000 },
      { service: 'api', environment: 'production', kind: 'deploy', state: 'failed', finishedAt: at(2) },
    ];
    const { insights, read } = platform(rows);
    const first = insights.delivery({ environment: 'production' });
    assert.deepEqual([first.total.deployments, first.total.changes, first.total.failedChanges], [1, 2, 1]);
    assert.deepEqual(read, [0, 1]);

    assert.equal(insights.delivery({ environment: 'production' }).total.changes, 2, 'asked again: the same answer');
    assert.deepEqual(read, [0, 1], 'and nothing read again');

    rows.push({ service: 'web', environment: 'production', kind: 'deploy', state: 'succeeded', finishedAt: at(3), releaseCreatedAt: at(3) - 7200_000 });
    const later = insights.delivery({ environment: 'production' });
    assert.deepEqual([later.total.deployments, later.total.changes, later.total.failedChanges], [2, 3, 1]);
    assert.deepEqual(read, [0, 1, 2], 'only the deployment that finished since was read');
    assert.deepEqual(
      insights.deliveryServices({ environment: 'production' }).map((s) => [s.service, s.deployments]).sort(),
      [
        ['api', 1],
        ['web', 1],
      ],
    );
  });
});
