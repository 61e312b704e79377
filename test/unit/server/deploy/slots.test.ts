import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Environment } from '../../../../src/core/api/types';
import { PavedError } from '../../../../src/core/errors';
import { SlotTable, type Slot } from '../../../../src/server/deploy/slots';
import { readJson, writeJsonAtomic } from '../../../../src/server/store';
import { FakeHost, clock, tempDir } from '../fakes';

const env: Environment = { name: 'local', order: 0, next: 'staging', portRange: { from: 41000, to: 41003 }, approvalHonoured: false };

describe('server/deploy: slots and ports', () => {
  let root: string;
  let file: string;
  let host: FakeHost;
  let logged: string[];
  const time = clock();
  const open = async (): Promise<SlotTable> => {
    const t = new SlotTable(file, { host, owner: 'me', now: time.now, log: (l) => logged.push(l) });
    await t.load();
    return t;
  };
  const serve = (t: SlotTable, release: string, port: number, service = 'api'): Slot | undefined => {
    const { pid } = host.spawn('run', { cwd: root, env: {}, logFile: path.join(root, 'log') });
    return t.switchTo({ service, environment: 'local', release, port, pid, deploymentId: `d-${release}` });
  };

  beforeEach(() => {
    root = tempDir('slots');
    file = path.join(root, 'slots.json');
    host = new FakeHost();
    logged = [];
  });

  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('hands out the first port of the range that is neither serving, handed out, nor taken by someone else', async () => {
    const t = await open();
    host.busyPorts.add(41000);
    assert.equal(await t.allocatePort(env), 41001);
    assert.equal(await t.allocatePort(env), 41002, 'a handed-out port is not handed out twice');
    serve(t, 'r-1', 41002);
    t.releasePort('api', 'local', 41002);
    assert.equal(await t.allocatePort(env), 41003, 'a port a slot serves on stays taken');
    await assert.rejects(t.allocatePort(env), (e: unknown) => PavedError.is(e, 'conflict') && e.message === "no free port in local's range 41000-41003");
    t.releasePort('api', 'local', 41001);
    assert.equal(await t.allocatePort(env), 41001, 'a released port is handed out again');
  });

  it('keeps the releases that served, newest last (each once, at most 20), and names the rollback target', async () => {
    const t = await open();
    assert.equal(t.rollbackTarget('api', 'local'), undefined);
    assert.equal(serve(t, 'r-1', 41000), undefined);
    assert.equal(t.rollbackTarget('api', 'local'), undefined, 'nothing earlier');
    const replaced = serve(t, 'r-2', 41001);
    assert.equal(replaced?.release, 'r-1');
    serve(t, 'r-1', 41000); // a rollback to r-1
    assert.deepEqual(t.get('api', 'local')?.history, ['r-2', 'r-1']);
    assert.equal(t.rollbackTarget('api', 'local'), 'r-2');
    for (let i = 3; i <= 30; i++) serve(t, `r-${i}`, 41000);
    assert.equal(t.get('api', 'local')?.history.length, 20);
    assert.equal(t.get('api', 'local')?.history[19], 'r-30');
    assert.deepEqual(readJson<Slot[]>(file)?.map((s) => s.release), ['r-30'], 'saved at once');
  });

  it('a process that dies on its own turns its slot failed and frees its port', async () => {
    const t = await open();
    serve(t, 'r-1', 41000);
    assert.equal(t.running(), 1);
    host.exit(t.get('api', 'local')?.pid as number);
    time.advance(5000);
    assert.equal(t.running(), 0);
    assert.equal(t.get('api', 'local')?.state, 'failed');
    assert.equal(t.get('api', 'local')?.since, time.now().toISOString());
    assert.match(logged[0], /^api\/local: release r-1 \(pid \d+\) exited on its own$/);
    assert.equal(await t.allocatePort(env), 41000);
  });

  it('stops the releases of one service, or all of them', async () => {
    const t = await open();
    serve(t, 'r-1', 41000, 'api');
    serve(t, 'r-9', 41001, 'web');
    await t.stop('api');
    assert.deepEqual([t.get('api', 'local')?.state, t.get('web', 'local')?.state], ['stopped', 'running']);
    await t.stop();
    assert.equal(t.get('web', 'local')?.state, 'stopped');
    assert.equal(host.stopped.length, 2);
    assert.deepEqual(readJson<Slot[]>(file)?.map((s) => s.state), ['stopped', 'stopped']);
  });

  it('at load, adopts a release an earlier instance left serving and stops or forgets the rest', async () => {
    const slot = (service: string, pid: number, port: number): Slot => ({ service, environment: 'local', release: 'r-1', port, pid, state: 'running', deploymentId: 'd-1', since: '2026-01-01T00:00:00.000Z', history: ['r-1'] });
    // adopted: ours, alive, its port answers; stopped: ours and alive but its port is free; forgotten: gone, or not ours
    for (const pid of [11, 12, 14]) host.alive.add(pid);
    for (const pid of [11, 12]) host.owned.add(pid);
    host.busyPorts.add(41000);
    writeJsonAtomic(file, [slot('adopted', 11, 41000), slot('silent', 12, 41001), slot('gone', 13, 41002), slot('foreign', 14, 41003)]);
    const t = await open();
    assert.deepEqual(
      ['adopted', 'silent', 'gone', 'foreign'].map((s) => t.get(s, 'local')?.state),
      ['running', 'stopped', 'stopped', 'stopped'],
    );
    assert.deepEqual(host.stopped, [12], 'only our own live process is stopped; a foreign one is never killed');
    assert.deepEqual(logged, ['adopted adopted/local (release r-1, pid 11, port 41000) left running by an earlier instance']);
    host.busyPorts.delete(41000);
    assert.equal(await t.allocatePort(env), 41001, 'the adopted release keeps its port');
    assert.deepEqual(readJson<Slot[]>(file)?.map((s) => s.state), ['running', 'stopped', 'stopped', 'stopped']);
  });
});
