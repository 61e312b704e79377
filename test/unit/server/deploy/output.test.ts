import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DeploymentEvent } from '../../../../src/core/api/types';
import { EventLog } from '../../../../src/server/events';
import { OutputEvents } from '../../../../src/server/deploy/output';
import { LogTail } from '../../../../src/server/deploy/processes';

const limits = { headLines: 5, headChars: 1000, tailLines: 3, batchLines: 4, batchChars: 1000, lineChars: 20 } as const;

describe('server/deploy: process output as events (batched, capped)', () => {
  let dir: string;
  let log: EventLog<DeploymentEvent>;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-output-'));
    log = new EventLog<DeploymentEvent>(path.join(dir, 'events.jsonl'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const messages = () => log.after(0).map((e) => e.message);

  it('short output: every line, in batches of at most batchLines, nothing said about skipping', () => {
    const out = new OutputEvents(log, 'build', 'GET /log', limits);
    out.add(['a', 'b']);
    out.add(['c', 'd', 'e']);
    out.finish();
    assert.deepEqual(messages(), ['a\nb', 'c\nd\ne']);
    assert.deepEqual(log.after(0).map((e) => [e.type, e.step, e.stream]), [
      ['log', 'build', 'stdout'],
      ['log', 'build', 'stdout'],
    ]);
  });

  it('long output: the head as it comes, then at the end what was left out and where, and the tail', () => {
    const out = new OutputEvents(log, 'build', 'GET /log', limits);
    const lines = Array.from({ length: 20 }, (_, i) => String(i + 1));
    out.add(lines.slice(0, 7));
    out.add(lines.slice(7));
    assert.deepEqual(messages(), ['1\n2\n3\n4', '5'], 'only the head streams');
    out.finish();
    assert.deepEqual(messages(), ['1\n2\n3\n4', '5', '… 12 lines of output not shown here (the first 5 and the last 3 are); the whole output: GET /log', '18\n19\n20']);
  });

  it('cuts an overlong line and says how much was cut', () => {
    const out = new OutputEvents(log, 'start', 'the log', limits);
    out.add(['x'.repeat(50)]);
    assert.deepEqual(messages(), [`${'x'.repeat(20)} … (30 more characters)`]);
  });

  it('the log tail hands over all new lines at once, from where the process began writing; an endless line in pieces', () => {
    const f = path.join(dir, 'p.log');
    fs.writeFileSync(f, 'old run\n');
    const from = fs.statSync(f).size;
    fs.appendFileSync(f, 'one\ntwo\nthr');
    const got: string[][] = [];
    const tail = new LogTail(f, (lines) => got.push(lines), from);
    tail.poll();
    fs.appendFileSync(f, 'ee\r\n');
    tail.poll();
    fs.appendFileSync(f, 'y'.repeat(70 * 1024));
    tail.poll();
    assert.deepEqual(got.slice(0, 2), [['one', 'two'], ['three']]);
    assert.equal(got[2][0].length, 70 * 1024, 'a line without an end is handed over rather than held');
  });
});
