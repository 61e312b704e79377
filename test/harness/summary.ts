import * as fs from 'node:fs';
import * as path from 'node:path';
import { testResultsDir } from './paths';

export interface StageTotals {
  passes: number;
  failures: number;
  pending: number;
}

/** Records a stage's counts so the final summary of `npm test` can add them up. */
export function writeSummary(stage: string, totals: StageTotals): void {
  fs.mkdirSync(testResultsDir, { recursive: true });
  fs.writeFileSync(path.join(testResultsDir, `summary-${stage}.json`), JSON.stringify(totals) + '\n');
}
