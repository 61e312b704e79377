import * as assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { helpText, runCli } from '../../../src/cli/cli';
import { subcommands } from '../../../src/cli/subcommands';

function capture(): { io: { stdout: Writable; stderr: Writable }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        append(chunk.toString('utf8'));
        cb();
      },
    });
  return { io: { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)) }, out: () => out, err: () => err };
}

describe('paved subcommand registry (lazy)', () => {
  it('lists every subcommand in order, and each entry loads the command of the same name and summary', async () => {
    assert.deepEqual(
      subcommands.map((c) => c.name),
      ['serve', 'lint', 'services', 'service', 'templates', 'scaffold', 'upgrade', 'deploy', 'rollback', 'promote', 'logs', 'status', 'restart', 'stop', 'resources', 'mcp', 'insights'],
    );
    for (const entry of subcommands) {
      const cmd = await entry.load();
      assert.equal(cmd.name, entry.name);
      assert.equal(cmd.summary, entry.summary, `summary of ${entry.name}`);
    }
  });

  it('paved --help lists every subcommand with its summary without loading any of them', async () => {
    let loads = 0;
    const entries = subcommands.map((e) => ({ ...e, load: () => (loads++, e.load()) }));
    const c = capture();
    assert.equal(await runCli(['--help'], c.io, entries), 0);
    assert.equal(c.out(), helpText(subcommands));
    for (const e of subcommands) assert.ok(c.out().includes(`  ${e.name.padEnd(11)}${e.summary}\n`), e.name);
    assert.equal(loads, 0);
  });

  it('paved <command> --help prints that command’s usage, loading only it', async () => {
    const loaded: string[] = [];
    const entries = subcommands.map((e) => ({ ...e, load: () => (loaded.push(e.name), e.load()) }));
    const c = capture();
    assert.equal(await runCli(['lint', '--help'], c.io, entries), 0);
    const lint = await subcommands[1].load();
    assert.equal(c.out(), `${lint.usage}\n`);
    assert.deepEqual(loaded, ['lint']);
  });

  it('an unknown command is a usage error (exit 2) that loads nothing', async () => {
    let loads = 0;
    const entries = subcommands.map((e) => ({ ...e, load: () => (loads++, e.load()) }));
    const c = capture();
    assert.equal(await runCli(['nope'], c.io, entries), 2);
    assert.equal(c.err(), "paved: unknown command 'nope'. Run 'paved --help' for the list.\n");
    assert.equal(loads, 0);
  });
});
