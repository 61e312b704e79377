import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CatalogEntry } from '../../../../src/core/catalog';
import { PavedError, describeError } from '../../../../src/core/errors';
import { Registrations, registeredEntry, type Registration } from '../../../../src/server/catalog/registrations';
import { declaresClaims, intern, internTags } from '../../../../src/server/catalog/storedEntry';
import { onQuarantine } from '../../../../src/server/store';

const now = () => new Date('2026-01-01T00:00:00.000Z');

function manifest(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'paved.dev/v1', kind: 'Service', metadata: { name, owner: 'team-pay', tags: ['api', 'tier-1'], ...extra } };
}

/** An entry with its manifest as a plain object, comparable with what registeredEntry makes. */
const plain = (e: CatalogEntry): CatalogEntry => ({ ...e, manifest: e.manifest });

describe('server/catalog: registrations (journal replay, compact entries)', () => {
  let dir: string;
  let file: string;
  const opened: Registrations[] = [];
  const open = (): Registrations => {
    const r = new Registrations(file, now);
    opened.push(r);
    return r;
  };
  const put = (r: Registrations, reg: Registration): CatalogEntry => r.put(registeredEntry(reg), reg);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-registrations-'));
    file = path.join(dir, 'registrations.jsonl');
  });
  afterEach(() => {
    for (const r of opened.splice(0)) r.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a restart replays the same registrations: every field, and each manifest read back as it was registered', () => {
    const r = open();
    const regs: Registration[] = [
      { manifest: manifest('billing', { system: 'invoicing', lifecycle: 'production', links: [{ url: 'https://docs.example/billing' }] }), sourceDir: dir },
      { manifest: { apiVersion: 'paved.dev/v1alpha1', kind: 'Service', metadata: { name: 'legacy', team: 'team-old' }, spec: { command: 'node x.js' } } },
      { manifest: manifest('ledger', { goldenPath: { template: 'typescript-http-service', version: 2 } }) },
      { manifest: manifest('gone') },
    ];
    for (const reg of regs) put(r, reg);
    const again = { manifest: manifest('ledger', { description: 'the ledger, again', lifecycle: 'deprecated' }) };
    put(r, again);
    r.delete('gone');
    const expected = [regs[0], regs[1], again].map(registeredEntry);
    assert.deepEqual([...r.all()].map(plain), expected, 'as registered');
    r.close();

    const replayed = open();
    assert.deepEqual(replayed.load(), []);
    assert.deepEqual([...replayed.all()].map(plain), expected, 'after a restart');
    assert.equal(replayed.get('gone'), undefined);
    assert.deepEqual(replayed.get('legacy')?.manifest, regs[1].manifest, 'a v1alpha1 manifest stays as registered');
  });

  it('entries with equal owners, systems, lifecycles and tags share them; the values stay equal', () => {
    const r = open();
    const a = put(r, { manifest: manifest('a', { system: 'checkout', lifecycle: 'production' }) });
    const b = put(r, { manifest: manifest('b', { system: 'checkout', lifecycle: 'production' }) });
    const c = put(r, { manifest: manifest('c', { tags: ['tier-1', 'api'] }) });
    assert.equal(a.tags, b.tags, 'one list for equal tag lists');
    assert.deepEqual(a.tags, ['api', 'tier-1']);
    assert.ok(Object.isFrozen(a.tags), 'a shared list cannot be changed through one entry');
    assert.notEqual(c.tags, a.tags, 'another order is another list');
    assert.deepEqual(c.tags, ['tier-1', 'api']);
    assert.deepEqual([a.owner, a.system, a.lifecycle], ['team-pay', 'checkout', 'production']);
    assert.deepEqual([b.owner, b.system, b.lifecycle], ['team-pay', 'checkout', 'production']);
    assert.equal(a.links, b.links, 'one empty list for every empty list');
    assert.deepEqual(a.links, []);
    assert.equal(intern(['x', 'y'].join('')), 'xy');
    assert.deepEqual(internTags([]), []);
  });

  it('a damaged journal is replayed again once rewritten: every manifest reads back from the new file', () => {
    const r = open();
    put(r, { manifest: manifest('one') });
    r.close();
    fs.appendFileSync(file, 'not json\n');
    const w = open();
    put(w, { manifest: manifest('two') });
    w.close();
    const unhear = onQuarantine(() => undefined);
    const replayed = open();
    try {
      replayed.load();
    } finally {
      unhear();
    }
    assert.deepEqual([...replayed.all()].map((e) => e.manifest), [manifest('one'), manifest('two')]);
  });

  it('a registration the catalog cannot read (even one without a manifest) is reported and left out until a later one of that name replaces it', () => {
    fs.writeFileSync(
      file,
      [
        { op: 'put', at: '', manifest: { apiVersion: 'paved.dev/v1', kind: 'Service', metadata: { name: 'nameless-owner' } } },
        { op: 'put', at: '', manifest: { apiVersion: 'paved.dev/v1', kind: 'Service', metadata: { name: 'fixed' } } },
        { op: 'put', at: '' },
        { op: 'put', at: '', manifest: manifest('fixed') },
      ]
        .map((op) => JSON.stringify(op) + '\n')
        .join(''),
    );
    const r = open();
    const bad = r.load();
    assert.deepEqual(
      bad.map((b) => [b.name, describeError(b.error)]),
      [
        ['nameless-owner', 'service nameless-owner: metadata.owner is required'],
        ['undefined', 'apiVersion must be paved.dev/v1 or paved.dev/v1alpha1, not undefined'],
      ],
    );
    assert.deepEqual([...r.all()].map((e) => e.name), ['fixed']);
  });

  it('knows whether a manifest declares claims without reading it back (the catalog list asks it of every service)', () => {
    const r = open();
    const withClaims = put(r, { manifest: { ...manifest('db-user'), spec: { claims: { db: { type: 'postgres' } } } } });
    const without = put(r, { manifest: manifest('plain') });
    const legacy = put(r, { manifest: { apiVersion: 'paved.dev/v1alpha1', kind: 'Service', metadata: { name: 'old', team: 't' }, spec: { claims: { v: { type: 'volume' } } } } });
    r.close();
    fs.writeFileSync(file, '');
    assert.deepEqual([withClaims, without, legacy].map(declaresClaims), [true, false, true]);
    assert.throws(() => withClaims.manifest, (e: unknown) => PavedError.is(e, 'io'), 'the manifest itself is gone with the journal');
    assert.equal(declaresClaims(registeredEntry({ manifest: { ...manifest('x'), spec: { claims: { db: { type: 'postgres' } } } } })), true, 'an entry holding its manifest');
  });

  it('a journal changed under the platform is an io error naming the service, never another service’s manifest', () => {
    const r = open();
    const a = put(r, { manifest: manifest('aaa') });
    r.close();
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.replace('"aaa"', '"bbb"'));
    assert.throws(() => a.manifest, (e: unknown) => PavedError.is(e, 'io') && /the registration of 'aaa' is no longer where it was written/.test((e as Error).message));
  });
});
