'use strict';
// Zero-dependency build: syntax-check every source file and copy src/ to dist/.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');
fs.rmSync(dist, { recursive: true, force: true });
fs.mkdirSync(dist, { recursive: true });
for (const f of fs.readdirSync(src)) {
  if (!f.endsWith('.js')) continue;
  execFileSync(process.execPath, ['--check', path.join(src, f)], { stdio: 'inherit' });
  fs.copyFileSync(path.join(src, f), path.join(dist, f));
  console.log(`built dist/${f}`);
}
