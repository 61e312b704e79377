import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PavedError } from '../../../src/core/errors';
import { FeedbackStore } from '../../../src/server/feedback';
import { clock, tempDir, thrown } from './fakes';

describe('server/feedback', () => {
  let dir: string;
  const time = clock();
  const catalog = {
    entry(name: string): unknown {
      if (name !== 'payments') throw new PavedError('not-found', `no service named '${name}' in the catalog`);
      return { name };
    },
  };
  const open = (): FeedbackStore => {
    const s = new FeedbackStore(path.join(dir, 'feedback.jsonl'), catalog, time.now);
    s.load();
    return s;
  };

  beforeEach(() => (dir = tempDir('feedback')));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps feedback about the platform or a known service, newest first, paged', () => {
    const store = open();
    const a = store.create({ message: 'the catalog is great', category: 'praise' });
    time.advance(1000);
    const b = store.create({ message: 'deploys are slow', service: 'payments' });
    time.advance(1000);
    const c = store.create({ message: 'more golden paths please' });
    assert.match(a.id, /^f-20260301T100000-[0-9a-f]{10}$/);
    assert.equal(b.createdAt, '2026-03-01T10:00:01.000Z');
    assert.deepEqual(store.get(b.id), b);

    const first = store.list(2);
    assert.deepEqual(first.items.map((f) => f.id), [c.id, b.id]);
    assert.ok(first.nextCursor);
    const second = store.list(2, first.nextCursor);
    assert.deepEqual(second.items.map((f) => f.id), [a.id]);
    assert.equal(second.nextCursor, undefined);
    store.close();
  });

  it('refuses feedback about a service the catalog does not know, and stores nothing', () => {
    const store = open();
    const err = thrown(() => store.create({ message: 'hm', service: 'nope' }));
    assert.ok(PavedError.is(err, 'not-found'));
    assert.deepEqual(store.list(10).items, []);
    assert.ok(PavedError.is(thrown(() => store.get('f-missing')), 'not-found'));
    store.close();
  });

  it('survives a restart: the journal is replayed', () => {
    const store = open();
    const a = store.create({ message: 'one' });
    const b = store.create({ message: 'two' });
    store.close();
    const again = open();
    assert.deepEqual(again.list(10).items, [b, a]);
    again.close();
  });
});
