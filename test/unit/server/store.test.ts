import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Journal, loadJson, onQuarantine, readJson, writeJsonAtomic, type RecordPlace } from '../../../src/server/store';
import { EventLog } from '../../../src/server/events';
import { PavedError } from '../../../src/core/errors';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'paved-store-'));

describe('server/store', () => {
  it('atomic writes leave the complete document and no temporary file', () => {
    const dir = tmp();
    const f = path.join(dir, 'a', 'state.json');
    writeJsonAtomic(f, { n: 1 });
    writeJsonAtomic(f, { n: 2 });
    assert.deepEqual(readJson(f), { n: 2 });
    assert.deepEqual(fs.readdirSync(path.dirname(f)), ['state.json']);
    assert.equal(fs.statSync(f).mode & 0o777, 0o600);
  });

  it('a full disk (ENOSPC, /dev/full) on a journal append is an io error naming the file and the bytes written', () => {
    const j = new Journal<{ a: number }>('/dev/full');
    assert.throws(
      () => j.append({ a: 1 }),
      (e: unknown) => PavedError.is(e, 'io') && /^cannot write \/dev\/full \(0 of 8 bytes written\): ENOSPC/.test((e as Error).message),
    );
    j.close();
  });

  it('an event log keeps process output (not fsynced) and state changes (fsynced) in one order', () => {
    const f = path.join(tmp(), 'e.jsonl');
    const log = new EventLog<{ seq: number; at: string; type: string; message: string }>(f);
    log.push({ type: 'log', message: 'out' }, { durable: false });
    log.push({ type: 'state', message: 'building' });
    log.finish();
    assert.deepEqual(new EventLog<{ seq: number; at: string; type: string; message: string }>(f).after(0).map((e) => `${e.seq} ${e.type}`), ['1 log', '2 state']);
  });

  it('a missing document is undefined, a corrupt one a typed error naming the file', () => {
    const dir = tmp();
    assert.equal(readJson(path.join(dir, 'none.json')), undefined);
    fs.writeFileSync(path.join(dir, 'bad.json'), '{"n":');
    assert.throws(() => readJson(path.join(dir, 'bad.json')), (e: unknown) => PavedError.is(e, 'io') && (e as Error).message.startsWith(`${path.join(dir, 'bad.json')} is not valid JSON`));
  });

  it('a journal drops a torn last record (crash mid-append) and appends cleanly after it', () => {
    const f = path.join(tmp(), 'j.jsonl');
    const j = new Journal<{ n: number }>(f);
    j.append({ n: 1 });
    j.append({ n: 2 });
    j.close();
    fs.appendFileSync(f, '{"n":3');
    const j2 = new Journal<{ n: number }>(f);
    assert.deepEqual(j2.readAll(), [{ n: 1 }, { n: 2 }]);
    j2.append({ n: 4 });
    j2.close();
    assert.deepEqual(new Journal<{ n: number }>(f).readAll(), [{ n: 1 }, { n: 2 }, { n: 4 }]);
  });

  it('a corrupt record in the middle is dropped and reported, never silently: the good ones kept, the file kept aside', () => {
    const dir = tmp();
    const f = path.join(dir, 'j.jsonl');
    fs.writeFileSync(f, '{"n":1}\nnot json\n{"n":2}\n');
    const heard: string[] = [];
    const unhear = onQuarantine((m) => heard.push(m));
    try {
      assert.deepEqual(new Journal(f).readAll(), [{ n: 1 }, { n: 2 }]);
    } finally {
      unhear();
    }
    const aside = fs.readdirSync(dir).filter((x) => x.startsWith('j.jsonl.corrupt-'));
    assert.equal(aside.length, 1);
    assert.equal(fs.readFileSync(path.join(dir, aside[0]), 'utf8'), '{"n":1}\nnot json\n{"n":2}\n');
    assert.equal(fs.readFileSync(f, 'utf8'), '{"n":1}\n{"n":2}\n');
    assert.equal(heard.length, 1);
    assert.match(heard[0], new RegExp(`^${f.replace(/[/.]/g, '\\$&')} is corrupt \\(record 2 at byte 8: .*\\); kept it as .*j\\.jsonl\\.corrupt-\\S+ and went on with its 2 good record\\(s\\), dropping 1$`));
  });

  it('a journal replays record by record with where each lies, also across read chunks and for lines longer than one', () => {
    const f = path.join(tmp(), 'j.jsonl');
    const j = new Journal<{ n: number; s: string }>(f);
    // Records around the 1 MiB read chunk: one straddling it with a multi-byte character on the boundary, and one
    // longer than a whole chunk.
    const records = [
      { n: 1, s: 'a'.repeat((1 << 20) - 28) }, // the 1 MiB boundary falls inside the first 'é' of the next line
      { n: 2, s: 'é'.repeat(40) },
      { n: 3, s: 'z'.repeat(3 << 20) },
      { n: 4, s: 'ü' },
    ];
    const places = records.map((r) => j.append(r));
    j.close();
    const seen: { n: number; offset: number; length: number }[] = [];
    assert.deepEqual(
      j.replay((r, place) => seen.push({ n: r.n, ...place })),
      { rewritten: false },
    );
    assert.deepEqual(seen, records.map((r, i) => ({ n: r.n, ...places[i] })));
    assert.deepEqual(j.readAll(), records);
    for (const [i, place] of places.entries()) assert.deepEqual(j.readAt(place), records[i]);
    assert.equal(fs.statSync(f).size, places[3].offset + places[3].length + 1);
  });

  it('a journal rewritten for a damaged record says so; a replay of it gives places in the new file', () => {
    const f = path.join(tmp(), 'j.jsonl');
    fs.writeFileSync(f, '{"n":1}\n{"n":\n\n{"n":2}\n{"n":3');
    const unhear = onQuarantine(() => undefined);
    const j = new Journal<{ n: number }>(f);
    try {
      assert.deepEqual(j.replay(() => undefined), { rewritten: true });
    } finally {
      unhear();
    }
    const places: RecordPlace[] = [];
    assert.deepEqual(j.replay((_, place) => places.push(place)), { rewritten: false });
    assert.deepEqual(places.map((p) => j.readAt(p)), [{ n: 1 }, { n: 2 }]);
    assert.equal(fs.readFileSync(f, 'utf8'), '{"n":1}\n{"n":2}\n');
    fs.writeFileSync(f, '');
    assert.throws(() => j.readAt(places[1]), (e: unknown) => PavedError.is(e, 'io') && (e as Error).message.startsWith(`cannot read the record at byte 8 of ${f}`));
  });

  it('a state document that is not JSON, or not of its shape, is moved aside at load and reported', () => {
    const dir = tmp();
    const heard: string[] = [];
    const unhear = onQuarantine((m) => heard.push(m));
    try {
      fs.writeFileSync(path.join(dir, 'a.json'), '{"n":');
      assert.equal(loadJson(path.join(dir, 'a.json'), 'went on without it'), undefined);
      fs.writeFileSync(path.join(dir, 'b.json'), '{"n": 1}');
      assert.equal(loadJson(path.join(dir, 'b.json'), 'started empty', Array.isArray), undefined);
      assert.deepEqual(loadJson(path.join(dir, 'c.json'), 'x'), undefined, 'missing: nothing to report');
    } finally {
      unhear();
    }
    assert.deepEqual(fs.readdirSync(dir).map((x) => x.replace(/corrupt-.*/, 'corrupt-…')).sort(), ['a.json.corrupt-…', 'b.json.corrupt-…']);
    assert.match(heard[0], /a\.json is corrupt \(not valid JSON\); moved it to .*a\.json\.corrupt-\S+ and went on without it$/);
    assert.match(heard[1], /b\.json is corrupt \(not what the platform wrote there\); moved it to .* and started empty$/);
  });
});

describe('server/events', () => {
  it('numbers events from 1, resumes after N and reloads from its journal', () => {
    const f = path.join(tmp(), 'e.jsonl');
    const log = new EventLog<{ seq: number; at: string; type: string; message: string }>(f);
    log.push({ type: 'log', message: 'a' });
    log.push({ type: 'log', message: 'b' });
    log.push({ type: 'log', message: 'c' });
    assert.deepEqual(log.after(1).map((e) => [e.seq, e.message]), [[2, 'b'], [3, 'c']]);
    assert.deepEqual(log.after(3), []);
    log.finish();
    const again = new EventLog<{ seq: number; at: string; type: string; message: string }>(f);
    assert.equal(again.lastSeq, 3);
    assert.deepEqual(again.after(0).map((e) => e.message), ['a', 'b', 'c']);
  });

  it('wait resolves on the next event, not on a timer', async () => {
    const log = new EventLog<{ seq: number; at: string; type: string; message: string }>(path.join(tmp(), 'e.jsonl'));
    const waited = log.wait(0, 60_000);
    log.push({ type: 'log', message: 'x' });
    await waited;
    assert.equal(log.lastSeq, 1);
    const done = log.wait(1, 60_000);
    log.finish();
    await done;
    assert.equal(log.done, true);
  });
});
