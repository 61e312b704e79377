import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatRecord, RunTail } from '../../../../src/server/deploy/serviceLogs';
import { tempDir } from '../fakes';
// The module object itself (the namespace import above is read-only), to step in between the tail's file checks.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the writable module object, on purpose
import fsModule = require('node:fs');

const write = (file: string, ...texts: string[]) => fs.appendFileSync(file, texts.map((text, i) => formatRecord({ at: 1000 + i, kind: 'o', truncated: false, text }) + '\n').join(''));

describe('server/deploy: RunTail follows one run across its generations', () => {
  let dir: string;
  const gen = (g: number) => path.join(dir, `run.${g}.log`);
  const existsSync = fs.existsSync;

  beforeEach(() => {
    dir = tempDir('runtail');
  });

  afterEach(() => {
    fsModule.existsSync = existsSync;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives each record once, in order, across a rotation', () => {
    const tail = new RunTail(dir, 'run');
    assert.deepEqual(tail.poll(), []);
    write(gen(1), 'a', 'b');
    assert.deepEqual(tail.poll().map((r) => r.text), ['a', 'b']);
    write(gen(1), 'c');
    write(gen(2), 'd');
    assert.deepEqual(tail.poll().map((r) => r.text), ['c', 'd']);
    write(gen(2), 'e');
    assert.deepEqual(tail.poll().map((r) => r.text), ['e']);
  });

  it('a writer that writes its last lines and rotates while the tail looks for the next generation loses no line', () => {
    const tail = new RunTail(dir, 'run');
    write(gen(1), 'a');
    assert.deepEqual(tail.poll().map((r) => r.text), ['a']);
    let rotated = false;
    fsModule.existsSync = (p: fs.PathLike) => {
      if (!rotated && String(p) === gen(2)) {
        rotated = true;
        write(gen(1), 'last in the first file');
        write(gen(2), 'first in the second');
      }
      return existsSync(p);
    };
    assert.deepEqual(tail.poll().map((r) => r.text), ['last in the first file', 'first in the second']);
    assert.ok(rotated);
  });
});
