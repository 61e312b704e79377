// What `npm start` and `npm test` do first, so that they work on a fresh clone (`node ensure-deps.js start|test`):
// 1. the Debian packages the code-server route needs (systemPackages.js: apt-get as root, `sudo -n` when it needs no
//    password, else one line naming the packages and the command to run — before anything slow happens);
// 2. the locked dependencies (`npm ci`) when node_modules is missing or older than package-lock.json.
// Plain JavaScript: it runs before anything is installed.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { ensureSystemPackages, realSystem, startRoute } = require('./systemPackages');

const root = path.resolve(__dirname, '..', '..');
const lock = path.join(root, 'package-lock.json');
const installed = path.join(root, 'node_modules', '.package-lock.json');
const purpose = process.argv[2] === 'start' ? 'start' : 'test';

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

function onPath(cmd) {
  return spawnSync(process.platform === 'win32' ? 'where' : 'which', [cmd], { stdio: 'ignore' }).status === 0;
}

// `npm start` with VS Code desktop on the PATH needs no system package.
if (purpose === 'test' || startRoute(process.env, onPath) === 'code-server') {
  try {
    ensureSystemPackages(purpose, realSystem());
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}

if (mtime(installed) < 0 || mtime(installed) < mtime(lock)) {
  process.stdout.write('paved: installing locked dependencies (npm ci)...\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const res = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) {
    process.stderr.write(`paved: npm ci failed (exit ${res.status ?? res.signal})\n`);
    process.exit(res.status || 1);
  }
}
