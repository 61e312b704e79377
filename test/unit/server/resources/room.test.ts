import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseOutputs, runCommand } from '../../../../src/server/resources/drivers/exec';
import { findPglite, PGLITE_VERSION } from '../../../../src/server/resources/drivers/pglite';
import { readDefinition, ResourceTypes, type DefinedType } from '../../../../src/server/resources/registry';
import { SecretKeeper } from '../../../../src/server/resources/secrets';
import { isAlive } from '../../../../src/server/deploy/processes';
import { ResourceState } from '../../../../src/server/resources/state';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'paved-res-unit-'));
const fixtures = path.resolve(__dirname, '..', '..', '..', 'fixtures', 'resources');

describe('server/resources: definitions, secrets, state, the exec driver', () => {
  it('reads definition files; an invalid one is reported with its problems and not served; built-ins win', () => {
    const t = readDefinition(path.join(fixtures, 'cache.yaml'));
    assert.deepEqual([t.type, t.driver, t.mainOutput, t.exec?.provision, t.exec?.timeoutSeconds, t.exec?.cwd], ['fixture-cache', 'exec', 'host', 'sh provision-ok.sh', 30, fixtures]);
    assert.deepEqual(t.outputs.map((o) => [o.name, o.secret]), [['host', false], ['port', false], ['password', true]]);
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'a.yaml'), 'apiVersion: paved.dev/v1\nkind: ResourceType\nmetadata: { name: postgres, description: mine }\nspec: { classes: [{ name: x }], outputs: [{ name: h }], driver: { exec: { provision: "true" } } }\n');
    fs.writeFileSync(path.join(dir, 'b.yaml'), 'apiVersion: paved.dev/v1\nkind: ResourceType\nmetadata: { name: q, description: q }\nspec: { classes: [{ name: x }], outputs: [{ name: h }], mainOutput: nope, driver: { exec: { provision: "true" } } }\n');
    fs.writeFileSync(path.join(dir, 'c.yaml'), ': not yaml : [');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
    const types = new ResourceTypes([dir, path.join(dir, 'missing')]);
    types.load();
    assert.deepEqual(types.list().map((x) => x.type), ['postgres', 'volume']);
    assert.equal(types.get('postgres')?.source, 'built-in');
    assert.equal(types.errors.length, 4);
    assert.match(types.errors[0], /a\.yaml: resource type "postgres" is already defined by built-in; this one is not served/);
    assert.match(types.errors[1], /b\.yaml: mainOutput "nope" is not one of the outputs \(h\)/);
    assert.match(types.errors[2], /c\.yaml: /);
    assert.match(types.errors[3], /missing: ENOENT/);
  });

  it('the key: derived secrets are stable per resource and purpose, sealed values round-trip, the key file is 0600', () => {
    const dir = tmp();
    const file = path.join(dir, 'key');
    const k = new SecretKeeper(file);
    const a = k.derive('svc.staging.db', 'postgres-password');
    assert.match(a, /^[0-9a-f]{32}$/);
    assert.equal(new SecretKeeper(file).derive('svc.staging.db', 'postgres-password'), a, 'the same after a restart');
    assert.notEqual(k.derive('svc.production.db', 'postgres-password'), a);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const sealed = k.seal({ password: 'hunter2-secret' });
    assert.equal(sealed.includes('hunter2'), false);
    assert.deepEqual(new SecretKeeper(file).unseal(sealed), { password: 'hunter2-secret' });
    assert.throws(() => new SecretKeeper(path.join(tmp(), 'other')).unseal(sealed), /cannot unseal stored secret outputs/);
    fs.chmodSync(file, 0o644);
    assert.throws(() => new SecretKeeper(file).derive('x', 'y'), /readable by other users/);
  });

  it('state: written whole, read back after a restart; a release is remembered for an idempotent repeat', () => {
    const file = path.join(tmp(), 'state.json');
    const st = new ResourceState(file);
    st.load();
    const now = '2026-12-01T00:00:00.000Z';
    st.putResource({ id: 's.local.db', type: 'postgres', class: 'small', driver: 'postgres', params: 'p', state: 'ready', outputs: { host: 'h' }, secretNames: ['password'], dir: '/d', createdAt: now, updatedAt: now });
    const c = { service: 's', environment: 'local', claim: 'db', resourceId: 's.local.db', type: 'postgres', class: 'small', orphaned: false, updatedAt: now };
    st.putClaim(c);
    const again = new ResourceState(file);
    again.load();
    assert.deepEqual(again.claim('s', 'local', 'db'), c);
    assert.equal(again.hasClaims('s'), true);
    again.release(c, now);
    assert.equal(again.claim('s', 'local', 'db'), undefined);
    const third = new ResourceState(file);
    third.load();
    assert.equal(third.wasReleased('s', 'local', 'db')?.resourceId, 's.local.db');
    third.forgetRelease('s', 'local', 'db');
    assert.equal(third.wasReleased('s', 'local', 'db'), undefined);
  });

  it('exec outputs: the whole stdout, else its last JSON line; every declared output must be there', () => {
    const t = { type: 't', outputs: [{ name: 'host', secret: false }, { name: 'port', secret: false }] } as unknown as DefinedType;
    assert.deepEqual(parseOutputs('{"host":"h","port":5432,"extra":1}', t), { host: 'h', port: '5432' });
    assert.deepEqual(parseOutputs('Applying…\n{"host":"a","port":1}\nnot json\n{"host":"h","port":2}\n', t), { host: 'h', port: '2' });
    assert.throws(() => parseOutputs('', t), /printed nothing on stdout/);
    assert.throws(() => parseOutputs('[1,2]', t), /printed no JSON object on stdout \(5 bytes, ending "\[1,2\]"\)/);
    assert.throws(() => parseOutputs('{"host":"h","port":{"x":1}}', t), /printed no 'port' \(a string, number or boolean for every output: host, port\)/);
  });

  it('exec commands: stderr streamed line by line, a timeout stops the whole process group', async () => {
    const lines: string[] = [];
    const ok = await runCommand('echo one >&2; printf two >&2; echo out', { cwd: tmp(), env: process.env, timeoutMs: 5000, onStderr: (l) => lines.push(l), what: 'x' });
    assert.deepEqual([ok.code, ok.stdout, ok.lastStderr, lines], [0, 'out\n', 'two', ['one', 'two']]);
    const marker = path.join(tmp(), 'child-pid');
    await assert.rejects(runCommand(`sleep 30 & echo $! > ${marker}; wait`, { cwd: tmp(), env: process.env, timeoutMs: 300, onStderr: () => undefined, what: 'the provision command' }), /the provision command timed out after 0s/);
    const child = Number(fs.readFileSync(marker, 'utf8'));
    assert.equal(isAlive(child), false, 'the background child was stopped with its group');
    const ctl = new AbortController();
    const run = runCommand('sleep 30', { cwd: tmp(), env: process.env, timeoutMs: 10000, signal: ctl.signal, onStderr: () => undefined, what: 'x' });
    ctl.abort();
    await assert.rejects(run, /was cancelled/);
  });

  it('finds the pinned PGlite next to Paved, else in the cache', () => {
    const found = findPglite(__dirname, tmp());
    assert.ok(found, 'the checkout has it in node_modules');
    assert.ok(fs.existsSync(found.pglite) && fs.existsSync(found.socket));
    const cache = tmp();
    assert.equal(findPglite(cache, cache), undefined);
    const pkg = path.join(cache, `pglite-${PGLITE_VERSION}`, 'node_modules', '@electric-sql');
    for (const [name, version] of [['pglite', PGLITE_VERSION], ['pglite-socket', '0.2.17']]) {
      fs.mkdirSync(path.join(pkg, name, 'dist'), { recursive: true });
      fs.writeFileSync(path.join(pkg, name, 'package.json'), JSON.stringify({ version }));
    }
    assert.equal(findPglite(cache, cache)?.from, path.join(cache, `pglite-${PGLITE_VERSION}`, 'node_modules'));
  });
});
