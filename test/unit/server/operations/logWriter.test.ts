import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { logWriterInvocation } from '../../../../src/server/deploy/logWriter';
import { parseRecord, runBase } from '../../../../src/server/deploy/serviceLogs';
import { tempDir } from '../fakes';

/** Runs `command` behind the real log writer; `rotateBytes`, `keep` and `maxLine` small so a test sees them work. */
function runWriter(dir: string, command: string, o: { rotateBytes?: number; keep?: number; maxLine?: number; secrets?: string[]; env?: NodeJS.ProcessEnv } = {}): { pid: number; exited: Promise<number | null> } {
  const w = logWriterInvocation(command, { dir, run: 7, release: 'r-x', secrets: o.secrets ?? [] });
  const args = [...w.args];
  if (o.rotateBytes) args[3] = String(o.rotateBytes);
  if (o.keep) args[4] = String(o.keep);
  if (o.maxLine) args[5] = String(o.maxLine);
  const child = spawn(w.file, args, { env: { ...process.env, ...o.env, ...w.env }, detached: true, stdio: 'ignore' });
  return { pid: child.pid as number, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

function records(dir: string): { gen: number; kind: string; text: string; truncated: boolean }[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .map((f) => ({ f, gen: Number(/\.(\d+)\.log$/.exec(f)?.[1]) }))
    .sort((a, b) => a.gen - b.gen)
    .flatMap(({ f, gen }) =>
      fs
        .readFileSync(path.join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const r = parseRecord(l);
          assert.ok(r, `not a record: ${l}`);
          return { gen, kind: r.kind, text: r.text, truncated: r.truncated };
        }),
    );
}

describe('server/deploy: the log writer (a real process)', function () {
  this.timeout(20000);
  let root: string;
  let dir: string;

  beforeEach(() => {
    root = tempDir('writer');
    dir = path.join(root, 'logs', 'api', 'local');
  });

  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('marks stdout and stderr, stamps each line, cuts long lines, redacts secrets and exits with the service', async () => {
    const { exited } = runWriter(dir, `echo one; echo two >&2; echo "key=$API_KEY!"; printf '%080d\\n' 7; printf 'last without newline'; exit 3`, { maxLine: 40, secrets: ['k-9f8e7d6c'], env: { API_KEY: 'k-9f8e7d6c' } });
    assert.equal(await exited, 3);
    const got = records(dir);
    assert.match(got[0].text, /^started release r-x \(pid \d+\): echo one;/);
    assert.deepEqual(
      got.slice(1).filter((r) => r.kind === 'o').map((r) => [r.text, r.truncated]),
      [
        ['one', false],
        ['key=[redacted]!', false],
        ['0'.repeat(39) + '0', true],
        ['last without newline', false],
      ],
    );
    assert.deepEqual(got.filter((r) => r.kind === 'e').map((r) => r.text), ['two']);
    assert.deepEqual(got[got.length - 1], { gen: 1, kind: 's', text: 'exited with code 3', truncated: false });
    const raw = fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('');
    assert.ok(!raw.includes('k-9f8e7d6c'));
    assert.ok(raw.split('\n').every((l) => l === '' || /^\d{13} [oesOE] /.test(l)));
  });

  it('rotates at the size, keeps the newest generations and loses no line in between', async () => {
    // One line per write (a pause between), about 60 bytes a record: some 16 records per generation.
    const { exited } = runWriter(dir, `i=1; while [ $i -le 80 ]; do echo "line $i ................................"; i=$((i+1)); sleep 0.005; done`, { rotateBytes: 1000, keep: 3 });
    assert.equal(await exited, 0);
    const gens = fs.readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
    assert.equal(gens.length, 3, gens.join(', '));
    assert.ok(gens.every((g) => g.startsWith(runBase(7, 'r-x'))));
    const lines = records(dir).filter((r) => r.kind === 'o').map((r) => Number(r.text.split(' ')[1]));
    const first = lines[0];
    assert.deepEqual(lines, Array.from({ length: 81 - first }, (_, i) => first + i), 'consecutive to the end');
    assert.ok(first > 1, 'the oldest generations were deleted');
  });

  it('a group SIGTERM reaches the service; the writer stays to write its last lines, then exits', async () => {
    const { pid, exited } = runWriter(dir, `trap 'echo "stopping"; exit 0' TERM; echo ready; while true; do sleep 0.05; done`);
    while (!records(dir).some((r) => r.text === 'ready')) await new Promise((r) => setTimeout(r, 20));
    process.kill(-pid, 'SIGTERM');
    await exited;
    const got = records(dir).map((r) => r.text);
    assert.ok(got.indexOf('stopping') > got.indexOf('ready'), got.join(' | '));
    assert.match(got[got.length - 1], /^exited (with code 0|on SIGTERM)$/);
  });
});
