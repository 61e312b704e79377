// Installs test/peers — development-only peers that want a newer Node than Paved's floor (yaml-language-server needs
// Node >= 22.13) — when they are missing or older than their lockfile. They are kept out of the root install so that
// `npm ci` on Node 20 stays quiet; the integration tests' Red Hat YAML stand-in runs them in code-server's extension
// host (Node 24) and `npm run bench` compares Paved's linter with them. Runs before `npm run typecheck` (their types)
// and from the harness that bundles the stand-in. Plain JavaScript: it runs as an npm pre-script.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const peersDir = path.resolve(__dirname, '..', 'peers');

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

/** True when test/peers/node_modules matches its lockfile. */
function peersInstalled() {
  const installed = mtime(path.join(peersDir, 'node_modules', '.package-lock.json'));
  return installed >= 0 && installed >= mtime(path.join(peersDir, 'package-lock.json'));
}

/** Installs the peers unless they are current; throws with npm's output when the install fails. */
function ensurePeers() {
  if (peersInstalled()) return;
  process.stdout.write('paved: installing the development-only peers in test/peers (yaml-language-server, once)\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // The engine warning is expected here (see test/peers/package.json): the peers run under Node 24 in the tests.
  const res = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--engine-strict=false', '--loglevel=error'], { cwd: peersDir, encoding: 'utf8', shell: process.platform === 'win32' });
  if (res.status !== 0) {
    throw new Error(`npm ci in ${peersDir} failed (exit ${res.status ?? res.signal}):\n${res.stdout ?? ''}${res.stderr ?? ''}`);
  }
}

module.exports = { ensurePeers, peersDir };

if (require.main === module) {
  try {
    ensurePeers();
  } catch (err) {
    process.stderr.write(`paved: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
