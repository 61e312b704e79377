import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureSystemPackages, packagesFor, SetupError, startRoute, SYSTEM_PACKAGES, type RunResult, type System } from '../../harness/systemPackages';

/**
 * A scripted machine: dpkg knows `installed`, `sudo -n true` answers `sudo`, apt-get "installs" what it is asked for
 * (or fails with `aptFails`). Every command run is recorded.
 */
function machine(opts: { installed: string[]; root?: boolean; sudo?: boolean; dpkg?: boolean; aptFails?: string; platform?: NodeJS.Platform; env?: NodeJS.ProcessEnv }) {
  const installed = new Set(opts.installed);
  const ran: string[] = [];
  const said: string[] = [];
  const sys: System = {
    platform: opts.platform ?? 'linux',
    env: opts.env ?? {},
    isRoot: () => opts.root ?? false,
    say: (line) => said.push(line),
    run(cmd, args, extraEnv): RunResult {
      ran.push([cmd, ...args].join(' ') + (extraEnv?.DEBIAN_FRONTEND ? ' [noninteractive]' : ''));
      if (cmd === 'dpkg-query') {
        if (opts.dpkg === false) return { status: null, stdout: '', error: new Error('spawnSync dpkg-query ENOENT') };
        const names = args.slice(2);
        const known = names.filter((n) => installed.has(n));
        return { status: known.length === names.length ? 0 : 1, stdout: known.map((n) => `${n} install ok installed\n`).join('') };
      }
      if (cmd === 'sudo' && args.join(' ') === '-n true') return { status: opts.sudo ? 0 : 1, stdout: '', stderr: 'sudo: a password is required' };
      const apt = cmd === 'sudo' ? args.slice(2) : args;
      if (apt[0] === 'update') return { status: 0, stdout: 'Reading package lists...' };
      if (apt[0] === 'install') {
        if (opts.aptFails) return { status: 100, stdout: 'Reading package lists...\n', stderr: `${opts.aptFails}\n` };
        for (const n of apt.filter((a) => !a.startsWith('-') && a !== 'install')) installed.add(n);
        return { status: 0, stdout: 'Setting up ...' };
      }
      throw new Error(`unexpected command ${cmd} ${args.join(' ')}`);
    },
  };
  return { sys, ran, said };
}

const ALL_TEST = packagesFor('test');
const DPKG = `dpkg-query -W -f=\${Package} \${Status}\\n ${ALL_TEST.join(' ')}`;

describe('the install step of npm start / npm test (system packages)', () => {
  it('runs nothing but the dpkg query when every package is installed', () => {
    const { sys, ran, said } = machine({ installed: ALL_TEST, root: true });
    assert.deepEqual(ensureSystemPackages('test', sys), []);
    assert.deepEqual(ran, [DPKG]);
    assert.deepEqual(said, []);
  });

  it('as root: apt-get update and install of exactly the missing packages, non-interactive, then checks again', () => {
    const { sys, ran, said } = machine({ installed: ['g++', 'make', 'python3'], root: true });
    assert.deepEqual(ensureSystemPackages('test', sys), ['libkrb5-dev', 'chromium']);
    assert.deepEqual(ran, [
      DPKG,
      'apt-get update -q [noninteractive]',
      'apt-get install -y -q --no-install-recommends libkrb5-dev chromium [noninteractive]',
      DPKG,
    ]);
    assert.deepEqual(said, ['paved: installing the Debian packages libkrb5-dev, chromium (apt-get, once)']);
  });

  it('not root, but sudo works without a password: the same through sudo -n', () => {
    const { sys, ran } = machine({ installed: ['g++', 'make', 'python3', 'chromium'], sudo: true });
    assert.deepEqual(ensureSystemPackages('test', sys), ['libkrb5-dev']);
    assert.deepEqual(ran, [
      DPKG,
      'sudo -n true',
      'sudo -n apt-get update -q [noninteractive]',
      'sudo -n apt-get install -y -q --no-install-recommends libkrb5-dev [noninteractive]',
      DPKG,
    ]);
  });

  it('neither root nor sudo -n: stops at once with one line naming the packages and the exact command', () => {
    const { sys, ran } = machine({ installed: ['g++', 'make', 'python3'] });
    assert.throws(
      () => ensureSystemPackages('test', sys),
      (err: Error) => {
        assert.ok(err instanceof SetupError);
        assert.equal(
          err.message,
          'paved: npm test needs the Debian packages libkrb5-dev, chromium; install them, then run npm test again: sudo apt-get update && sudo apt-get install -y --no-install-recommends libkrb5-dev chromium',
        );
        assert.ok(!err.message.includes('\n'), 'one line');
        return true;
      },
    );
    assert.deepEqual(ran, [DPKG, 'sudo -n true'], 'nothing was installed');
  });

  it('npm start needs no browser: chromium is not asked for', () => {
    const { sys, ran } = machine({ installed: ['libkrb5-dev', 'g++', 'make', 'python3'] });
    assert.deepEqual(ensureSystemPackages('start', sys), []);
    assert.deepEqual(ran, [`dpkg-query -W -f=\${Package} \${Status}\\n libkrb5-dev g++ make python3`]);
  });

  it('a failing apt-get: one line with its reason and the command to run by hand', () => {
    const { sys } = machine({ installed: ['g++', 'make', 'python3', 'chromium'], root: true, aptFails: 'E: Unable to locate package libkrb5-dev' });
    assert.throws(
      () => ensureSystemPackages('test', sys),
      (err: Error) =>
        err instanceof SetupError &&
        err.message ===
          'paved: apt-get install -y -q --no-install-recommends libkrb5-dev failed (exit 100): E: Unable to locate package libkrb5-dev; install them by hand: sudo apt-get update && sudo apt-get install -y --no-install-recommends libkrb5-dev',
    );
  });

  it('without dpkg (not Debian/Ubuntu): one note naming what is needed, nothing run, no stop', () => {
    const { sys, ran, said } = machine({ installed: [], dpkg: false });
    assert.deepEqual(ensureSystemPackages('test', sys), []);
    assert.deepEqual(ran, [DPKG]);
    assert.equal(said.length, 1);
    assert.match(said[0], /^paved: no dpkg here \(not Debian\/Ubuntu\): make sure the equivalents of libkrb5-dev, g\+\+, make, python3, chromium are installed/);
  });

  it('off Linux, or with PAVED_SKIP_SYSTEM_PACKAGES: nothing runs', () => {
    for (const m of [machine({ installed: [], platform: 'darwin' }), machine({ installed: [], env: { PAVED_SKIP_SYSTEM_PACKAGES: '1' } })]) {
      assert.deepEqual(ensureSystemPackages('test', m.sys), []);
      assert.deepEqual(m.ran, []);
    }
  });

  it('npm start takes the code-server route (and needs the packages) only without `code` on the PATH', () => {
    assert.equal(startRoute({}, () => true), 'code');
    assert.equal(startRoute({}, () => false), 'code-server');
    assert.equal(startRoute({ PAVED_START_ROUTE: 'code-server' }, () => true), 'code-server');
  });

  it('is the one list: .ci/run and the npm pre-scripts call it, and no other file names the packages', () => {
    const root = path.join(__dirname, '..', '..', '..');
    assert.match(fs.readFileSync(path.join(root, '.ci', 'run'), 'utf8'), /^node test\/harness\/systemPackages\.js test$/m);
    const scripts = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    assert.equal(scripts.pretest, 'node test/harness/ensure-deps.js test');
    assert.equal(scripts.prestart, 'node test/harness/ensure-deps.js start');
    assert.match(fs.readFileSync(path.join(root, 'test', 'harness', 'ensure-deps.js'), 'utf8'), /require\('\.\/systemPackages'\)/);
    assert.ok(!/libkrb5-dev/.test(fs.readFileSync(path.join(root, '.ci', 'run'), 'utf8')), '.ci/run keeps no list of its own');
    assert.deepEqual(SYSTEM_PACKAGES.map((p) => p.name), ['libkrb5-dev', 'g++', 'make', 'python3', 'chromium']);
  });
});
