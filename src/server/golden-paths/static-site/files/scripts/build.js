'use strict';
// Copies public/ to dist/ and fails when a page links to a local file that does not exist.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const pub = path.join(root, 'public');
const dist = path.join(root, 'dist');
fs.rmSync(dist, { recursive: true, force: true });
fs.cpSync(pub, dist, { recursive: true });
const broken = [];
for (const f of fs.readdirSync(dist).filter((n) => n.endsWith('.html'))) {
  const html = fs.readFileSync(path.join(dist, f), 'utf8');
  for (const m of html.matchAll(/(?:href|src)="([^"#?]+)"/g)) {
    const target = m[1];
    if (/^[a-z]+:/i.test(target)) continue;
    if (!fs.existsSync(path.join(dist, target))) broken.push(`${f} -> ${target}`);
  }
}
if (broken.length) {
  console.error(`broken links:\n  ${broken.join('\n  ')}`);
  process.exit(1);
}
console.log(`built ${fs.readdirSync(dist).length} files into dist/`);
