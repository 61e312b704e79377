import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');

function tsFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'golden-paths' ? [] : tsFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Finds `vscode` imports in any form: import, import type, export from, require, dynamic import. */
export function vscodeImports(source: string): number[] {
  const re = /(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*|^\s*import\s+)['"]vscode['"]/gm;
  const lines: number[] = [];
  for (const m of source.matchAll(re)) lines.push(source.slice(0, m.index).split('\n').length);
  return lines;
}

describe('architecture', () => {
  it('finds vscode imports in every form (the check itself can fail)', () => {
    assert.deepEqual(vscodeImports("import * as vscode from 'vscode';"), [1]);
    assert.deepEqual(vscodeImports("\nimport type { Uri } from \"vscode\";"), [2]);
    assert.deepEqual(vscodeImports("const v = require('vscode');"), [1]);
    assert.deepEqual(vscodeImports("await import('vscode')"), [1]);
    assert.deepEqual(vscodeImports("import 'vscode';"), [1]);
    assert.deepEqual(vscodeImports("import { x } from 'vscode-uri'; // 'vscode'"), []);
  });

  for (const layer of ['src/core', 'src/platform', 'src/server', 'src/cli']) {
    it(`${layer} never imports vscode`, () => {
      const offenders = tsFiles(path.join(root, layer)).flatMap((f) =>
        vscodeImports(fs.readFileSync(f, 'utf8')).map((line) => `${path.relative(root, f)}:${line}`),
      );
      assert.deepEqual(offenders, []);
    });
  }
});
