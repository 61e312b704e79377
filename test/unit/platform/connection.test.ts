import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BackstageBackend } from '../../../src/platform/backstage/backend';
import { connect, createBackend, effectiveSettings, type ConnectionSettings } from '../../../src/platform/connection';
import { defaultLocalStateDir, findLocalPlatform, localTokenProvider, readTokenFile } from '../../../src/platform/local';
import { answerIdentity, json, rejection, startFaultServer, type FaultServer } from './faultServer';

describe('connection settings', () => {
  it('trusted: folder > workspace > user > default', () => {
    assert.deepEqual(effectiveSettings({ defaultValue: 'local', globalValue: 'paved', workspaceValue: 'backstage' }, { globalValue: 'https://u.example/', workspaceFolderValue: 'https://f.example' }, true), {
      kind: 'backstage',
      url: 'https://f.example',
      ignored: [],
    });
  });

  it('untrusted: workspace and folder values are ignored and reported', () => {
    assert.deepEqual(
      effectiveSettings({ defaultValue: 'local', workspaceValue: 'paved' }, { defaultValue: '', workspaceValue: 'https://attacker.example' }, false),
      { kind: 'local', url: '', ignored: ['kind', 'url'] },
    );
    assert.deepEqual(effectiveSettings({ globalValue: 'paved' }, { globalValue: ' https://mine.example// ' }, false), { kind: 'paved', url: 'https://mine.example', ignored: [] });
  });

  it('an unknown kind is invalid-input naming the setting', () => {
    assert.throws(() => effectiveSettings({ globalValue: 'gitlab' }, {}, true), { code: 'invalid-input', message: 'paved.platform.kind must be one of local, paved, backstage, not "gitlab".' });
  });
});

describe('connect', () => {
  let server: FaultServer;
  let dir: string;
  before(async () => {
    server = await startFaultServer();
  });
  after(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-conn-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const noToken = async () => undefined;
  const settings = (kind: ConnectionSettings['kind'], url = ''): ConnectionSettings => ({ kind, url, ignored: [] });

  it('untrusted: fails with untrusted and sends nothing, whatever the settings', async () => {
    server.handle((_req, res) => json(res, 200, {}));
    for (const s of [settings('paved', server.url), settings('local')]) {
      const err = await rejection(connect({ settings: s, trusted: false, token: noToken, localStateDir: dir }));
      assert.equal(err.code, 'untrusted');
      assert.equal(err.message, 'Paved sends no request to a platform in an untrusted workspace. Trust the workspace to see the catalog and deploy.');
    }
    assert.equal(server.requests.length, 0);
  });

  it('paved without a URL, or with plain http to a remote host, is invalid-input before any request', async () => {
    assert.equal((await rejection(connect({ settings: settings('paved'), trusted: true, token: noToken }))).message, 'No platform URL is set for paved.platform.kind "paved". Set paved.platform.url, or use the local platform.');
    const err = await rejection(connect({ settings: settings('paved', 'http://platform.example.com'), trusted: true, token: noToken }));
    assert.equal(err.code, 'invalid-input');
    assert.equal(err.action, 'open-settings');
  });

  it('backstage without an injected client gets the built-in Backstage client', () => {
    const b = createBackend({ kind: 'backstage', url: 'https://backstage.example', token: noToken });
    assert.equal(b instanceof BackstageBackend, true);
    assert.equal(b.displayName, 'Backstage (https://backstage.example)');
    b.dispose();
  });

  it('backstage uses the injected client factory with the target', () => {
    let seen = '';
    const b = createBackend(
      { kind: 'backstage', url: 'https://backstage.example', token: noToken },
      {
        backstage: (t) => {
          seen = `${t.kind} ${t.url}`;
          return { kind: 'backstage' } as never;
        },
      },
    );
    assert.equal(seen, 'backstage https://backstage.example');
    assert.equal(b.kind, 'backstage');
  });

  it('local: no serve.json → unreachable telling how to start it', async () => {
    const err = await rejection(connect({ settings: settings('local'), trusted: true, token: noToken, localStateDir: dir }));
    assert.equal(err.code, 'unreachable');
    assert.equal(err.message, `The local platform is not running (no live instance recorded in ${dir}). Start it with \`paved serve\`, or open the Paved view in VS Code.`);
  });

  it('local: finds the live instance through serve.json, checks it is that instance, then sends its token', async () => {
    fs.writeFileSync(path.join(dir, 'token'), 'local-secret-token\n', { mode: 0o600 });
    fs.writeFileSync(path.join(dir, 'serve.json'), JSON.stringify({ pid: process.pid, url: server.url, tokenFile: path.join(dir, 'token'), instanceId: 'i-1' }));
    server.handle((req, res) => {
      if (!answerIdentity(req, res, 'local-secret-token', 'i-1')) json(res, 200, { status: 'ok', version: '0.1.0', apiVersion: 'v1', platform: 'local', uptimeSeconds: 1, runningServices: 0 });
    });
    const backend = await connect({ settings: settings('local', 'https://ignored.example'), trusted: true, token: noToken, localStateDir: dir });
    assert.equal(backend.kind, 'local');
    assert.equal(backend.baseUrl, server.url);
    assert.deepEqual(await backend.health(), { status: 'ok', platform: 'local', version: '0.1.0', apiVersion: 'v1' });
    assert.match(server.requests[0].url, /^\/v1\/health\?challenge=[\w-]{32}$/);
    assert.equal(server.requests[0].headers.authorization, undefined, 'the challenge goes without the token');
    assert.equal(server.requests[1].headers.authorization, 'Bearer local-secret-token');
    backend.dispose();
  });

  it('local: a listener that cannot prove it is the recorded instance never gets the token (stale serve.json)', async () => {
    fs.writeFileSync(path.join(dir, 'token'), 'local-secret-token\n', { mode: 0o600 });
    fs.writeFileSync(path.join(dir, 'serve.json'), JSON.stringify({ pid: process.pid, url: server.url, tokenFile: path.join(dir, 'token'), instanceId: 'i-1' }));
    const answers: ((req: Parameters<Parameters<FaultServer['handle']>[0]>[0], res: Parameters<Parameters<FaultServer['handle']>[0]>[1]) => void)[] = [
      // Something else on the port: answers health like a platform, without a proof.
      (_req, res) => json(res, 200, { status: 'ok', version: '0.1.0', apiVersion: 'v1', platform: 'local', uptimeSeconds: 1, runningServices: 0 }),
      // It replays an instance id and a proof it saw before, or guesses.
      (_req, res) => json(res, 200, { status: 'ok', instanceId: 'i-1', proof: 'x'.repeat(43) }),
      // A real platform, but another instance (another token).
      (req, res) => void answerIdentity(req, res, 'another-token', 'i-1'),
    ];
    for (const answer of answers) {
      server.requests.length = 0;
      server.handle((req, res) => (req.url.startsWith('/v1/health') ? answer(req, res) : json(res, 200, {})));
      const backend = await connect({ settings: settings('local'), trusted: true, token: noToken, localStateDir: dir });
      const err = await rejection(backend.health());
      assert.equal(err.code, 'untrusted');
      assert.match(err.message, /^The process listening at http:\/\/127\.0\.0\.1:\d+ is not the local platform recorded in serve\.json/);
      assert.deepEqual(server.requests.map((r) => r.headers.authorization), [undefined], 'only the challenge was sent');
      backend.dispose();
    }
  });
});

describe('local platform files', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-local-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (obj: unknown) => fs.writeFileSync(path.join(dir, 'serve.json'), typeof obj === 'string' ? obj : JSON.stringify(obj));

  it('defaults the state dir like paved serve', () => {
    assert.equal(defaultLocalStateDir({ XDG_STATE_HOME: '/x/state' }, '/home/u'), path.join('/x/state', 'paved'));
    assert.equal(defaultLocalStateDir({}, '/home/u'), path.join('/home/u', '.local', 'state', 'paved'));
  });

  it('a record whose process is gone is ignored; a relative token path is resolved in the state dir', async () => {
    write({ pid: 4242, url: 'http://127.0.0.1:7443', tokenFile: 'token' });
    assert.equal(await findLocalPlatform(dir, () => false), undefined);
    const info = await findLocalPlatform(dir, () => true);
    assert.equal(info?.tokenFile, path.join(dir, 'token'));
  });

  it('refuses a record that points off loopback, and malformed records', async () => {
    write({ pid: 1, url: 'http://10.1.2.3:7443', tokenFile: 'token' });
    const err = await rejection(findLocalPlatform(dir, () => true));
    assert.equal(err.code, 'untrusted');
    assert.equal(err.message, `${path.join(dir, 'serve.json')} points at 10.1.2.3, which is not a loopback address; Paved sends the local token only to loopback.`);
    write('{"pid": 1,');
    assert.equal((await rejection(findLocalPlatform(dir, () => true))).code, 'unreachable');
    write({ pid: 'x', url: 'http://127.0.0.1:1' });
    assert.equal((await rejection(findLocalPlatform(dir, () => true))).message, `${path.join(dir, 'serve.json')} does not describe a local platform (pid, url and tokenFile are required).`);
  });

  it('reads a 0600 token file; refuses one others can read, an empty one, a missing one', async function () {
    const f = path.join(dir, 'token');
    fs.writeFileSync(f, '  abc123\n', { mode: 0o600 });
    assert.equal(await readTokenFile(f), 'abc123');
    if (process.platform !== 'win32') {
      fs.chmodSync(f, 0o644);
      const err = await rejection(readTokenFile(f));
      assert.equal(err.code, 'untrusted');
      assert.equal(err.message, `The token file ${f} can be read by other users (mode 644); run chmod 600 on it.`);
      fs.chmodSync(f, 0o600);
    }
    fs.writeFileSync(f, '\n');
    assert.equal((await rejection(readTokenFile(f))).message, `The token file ${f} does not hold a token.`);
    assert.equal((await rejection(readTokenFile(path.join(dir, 'nope')))).code, 'unauthorized');
  });

  it('after a 401 the local token provider re-reads serve.json and the (new) token file, and checks the listener again', async () => {
    const server = await startFaultServer();
    try {
      const t1 = path.join(dir, 't1');
      const t2 = path.join(dir, 't2');
      fs.writeFileSync(t1, 'first', { mode: 0o600 });
      fs.writeFileSync(t2, 'second', { mode: 0o600 });
      let current = { token: 'first', instanceId: 'i-1' };
      server.handle((req, res) => void answerIdentity(req, res, current.token, current.instanceId));
      const provider = localTokenProvider(dir, { pid: process.pid, url: server.url, tokenFile: t1, instanceId: 'i-1' });
      assert.equal(await provider({ refresh: false }), 'first');
      // The platform restarted on the same port: a new token, a new instance id.
      current = { token: 'second', instanceId: 'i-2' };
      write({ pid: process.pid, url: server.url, tokenFile: t2, instanceId: 'i-2' });
      assert.equal(await provider({ refresh: false }), 'first', 'cached until refreshed');
      assert.equal(await provider({ refresh: true, rejected: 'first' }), 'second');
      // It restarted elsewhere: the client's address is not the platform's any more.
      write({ pid: process.pid, url: 'http://127.0.0.1:2', tokenFile: t2, instanceId: 'i-3' });
      assert.equal((await rejection(provider({ refresh: true, rejected: 'second' }))).code, 'unreachable');
      assert.equal(server.requests.filter((r) => r.headers.authorization !== undefined).length, 0);
    } finally {
      await server.close();
    }
  });
});
