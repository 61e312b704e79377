import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatRecord, markServed, runBase, type RecordKind } from '../../../../src/server/deploy/serviceLogs';
import { formatPosition, LogListing, parsePosition, positionAt, readFrom, START, tailRecords } from '../../../../src/server/operations/logFiles';
import { tempDir } from '../fakes';

/** Writes one generation file of a run: records `text` at `at` (stdout unless `kind`). */
function gen(dir: string, run: number, release: string, generation: number, lines: [number, string, RecordKind?][]): void {
  fs.appendFileSync(path.join(dir, `${runBase(run, release)}.${generation}.log`), lines.map(([at, text, kind]) => formatRecord({ at, kind: kind ?? 'o', truncated: false, text }) + '\n').join(''));
}

const alive = new Set<number>();
const isAlive = (pid: number) => alive.has(pid);

describe('server/operations: an environment\'s log as one stream (runs, generations, cursors)', () => {
  let dir: string;

  beforeEach(() => {
    dir = tempDir('logfiles');
    alive.clear();
    // Run 1 (release r-a) served; its first generation rotated away, the second and third kept; it exited.
    gen(dir, 1, 'r-a', 2, [[1000, 'a1'], [1001, 'a2']]);
    gen(dir, 1, 'r-a', 3, [[1002, 'a3'], [1003, 'exited with code 0', 's']]);
    markServed(dir, 1);
    // Run 2 (r-b) was a candidate that failed its health check: never served, never in the stream.
    gen(dir, 2, 'r-b', 1, [[1004, 'started release r-b (pid 2)', 's'], [1005, 'b1 crashed', 'e']]);
    // Run 3 (r-c) serves now; its writer (pid 3) runs.
    gen(dir, 3, 'r-c', 1, [[1006, 'started release r-c (pid 3)', 's'], [1007, 'c1'], [1008, 'c2 oops', 'e']]);
    markServed(dir, 3);
    alive.add(3);
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads from the start across generations and served runs, skipping the candidate that never served', () => {
    const { records, next } = readFrom(new LogListing(dir), START, 100, 5000, isAlive);
    assert.deepEqual(records.map((r) => `${r.release} ${r.kind} ${r.text}`), ['r-a o a1', 'r-a o a2', 'r-a o a3', 'r-a s exited with code 0', 'r-c s started release r-c (pid 3)', 'r-c o c1', 'r-c e c2 oops']);
    assert.deepEqual(next, records[records.length - 1].cursor);
    assert.equal(formatPosition(next), `3.1.${fs.statSync(path.join(dir, `${runBase(3, 'r-c')}.1.log`)).size}`);
  });

  it('a cursor resumes exactly after its line; limits page; an end position reads nothing until more is written', () => {
    const listing = new LogListing(dir);
    const all = readFrom(listing, START, 100, 5000, isAlive).records;
    for (let i = 0; i < all.length; i++) {
      const after = readFrom(new LogListing(dir), parsePosition(formatPosition(all[i].cursor)) as typeof START, 100, 5000, isAlive).records;
      assert.deepEqual(after.map((r) => r.text), all.slice(i + 1).map((r) => r.text), `after line ${i}`);
    }
    assert.deepEqual(readFrom(listing, START, 2, 5000, isAlive).records.map((r) => r.text), ['a1', 'a2']);
    const end = listing.end();
    assert.deepEqual(readFrom(listing, end, 10, 5000, isAlive).records, []);
    gen(dir, 3, 'r-c', 1, [[1009, 'c3']]);
    assert.deepEqual(readFrom(new LogListing(dir), end, 10, 5000, isAlive).records.map((r) => r.text), ['c3']);
  });

  it('follows a rotation: the next generation continues where the last one ended', () => {
    const end = new LogListing(dir).end();
    gen(dir, 3, 'r-c', 2, [[1010, 'c4 in the new file']]);
    assert.deepEqual(readFrom(new LogListing(dir), end, 10, 5000, isAlive).records.map((r) => `${r.cursor.generation} ${r.text}`), ['2 c4 in the new file']);
  });

  it('a cursor into a generation that rotated away resumes at the oldest one kept', () => {
    assert.deepEqual(readFrom(new LogListing(dir), { run: 1, generation: 1, offset: 12345 }, 2, 5000, isAlive).records.map((r) => r.text), ['a1', 'a2']);
  });

  it('moves on to the next served run only once the earlier one is over: exit record, or its writer gone', () => {
    gen(dir, 4, 'r-d', 1, [[1011, 'started release r-d (pid 4)', 's'], [1012, 'd1']]);
    markServed(dir, 4);
    const end3 = new LogListing(dir).end();
    const atC = readFrom(new LogListing(dir), parsePosition('3.1.0') as typeof START, 100, 5000, isAlive);
    assert.deepEqual(atC.records.map((r) => r.text).slice(-1), ['c2 oops'], 'run 3 still runs: wait for its last lines');
    alive.delete(3);
    const after = readFrom(new LogListing(dir), atC.next, 100, 5000, isAlive);
    assert.deepEqual(after.records.map((r) => r.text), ['started release r-d (pid 4)', 'd1'], 'its writer is gone: on to run 4');
    assert.notDeepEqual(end3, START);
  });

  // Run 3's writer writes its last lines and exits exactly while the reader asks whether it still runs: into the file
  // the reader just read, or into a generation that did not exist when the directory was listed.
  for (const [where, generation] of [['the file it was reading', 1], ['a generation created after the listing', 2]] as const) {
    it(`a run that ends between reading its file and checking it is over: its last lines (in ${where}) come before the next run's`, () => {
      gen(dir, 4, 'r-d', 1, [[1011, 'started release r-d (pid 4)', 's'], [1012, 'd1']]);
      markServed(dir, 4);
      const atEnd = readFrom(new LogListing(dir), parsePosition('3.1.0') as typeof START, 100, 5000, isAlive).next;
      const endsWhileAsked = (pid: number) => {
        if (pid === 3 && alive.delete(3)) gen(dir, 3, 'r-c', generation, [[1013, 'c3 closing'], [1014, 'exited with code 0', 's']]);
        return isAlive(pid);
      };
      const after = readFrom(new LogListing(dir), atEnd, 100, 5000, endsWhileAsked);
      assert.deepEqual(after.records.map((r) => `${r.release} ${r.cursor.generation} ${r.text}`), [`r-c ${generation} c3 closing`, `r-c ${generation} exited with code 0`, 'r-d 1 started release r-d (pid 4)', 'r-d 1 d1']);
    });
  }

  it('damaged lines at the end of a finished run are passed over: the look for late lines happens once and ends', () => {
    fs.appendFileSync(path.join(dir, `${runBase(3, 'r-c')}.1.log`), 'not a record\n\u0000\u0000\n');
    gen(dir, 4, 'r-d', 1, [[1011, 'started release r-d (pid 4)', 's']]);
    markServed(dir, 4);
    alive.delete(3);
    const all = readFrom(new LogListing(dir), parsePosition('3.1.0') as typeof START, 100, 5000, isAlive);
    assert.deepEqual(all.records.map((r) => r.text), ['started release r-c (pid 3)', 'c1', 'c2 oops', 'started release r-d (pid 4)']);
  });

  it('the last N lines come from earlier runs when the newest has fewer; since a time finds the first line at or after it', () => {
    const listing = new LogListing(dir);
    assert.deepEqual(tailRecords(listing, 5).map((r) => r.text), ['a3', 'exited with code 0', 'started release r-c (pid 3)', 'c1', 'c2 oops']);
    assert.deepEqual(tailRecords(listing, 0), []);
    const at = positionAt(listing, 0);
    assert.deepEqual(readFrom(listing, at, 100, 5000, isAlive).records[0].text, 'a1', 'every file was written after time 0');
    assert.deepEqual(positionAt(listing, Date.now() + 60_000), listing.end(), 'nothing written since a future time');
  });

  it('since a time finds a line in a file whose modification time trails it (the kernel stamps files from a coarse clock)', () => {
    const since = Date.now();
    gen(dir, 3, 'r-c', 1, [[since + 1, 'c3 just after']]);
    const file = path.join(dir, `${runBase(3, 'r-c')}.1.log`);
    fs.utimesSync(file, new Date(since - 4), new Date(since - 4)); // one tick behind the record's time
    const listing = new LogListing(dir);
    assert.deepEqual(readFrom(listing, positionAt(listing, since), 10, since, isAlive).records.map((r) => r.text), ['c3 just after']);
  });

  it('an empty directory is the start of the stream', () => {
    const empty = tempDir('logfiles-empty');
    const listing = new LogListing(empty);
    assert.deepEqual(listing.end(), START);
    assert.deepEqual(readFrom(listing, START, 10, 0, isAlive), { records: [], next: START });
    assert.equal(parsePosition('1.2'), undefined);
  });
});
