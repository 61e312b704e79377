// The Debian packages the code-server route needs, and the decision how to get them: the one list `npm start`,
// `npm test` and `.ci/run` share (ensure-deps.js runs it before anything else). The commands are injected (`System`),
// so test/unit/harness/systemPackages.test.ts checks every decision without touching the machine.
// Plain JavaScript: it runs before `npm ci` has installed anything, so a machine that cannot get the packages is told
// at once, not after a minute of installing. Types: systemPackages.d.ts.
'use strict';

/** What each package is for; `for` says which command needs it. */
const SYSTEM_PACKAGES = [
  { name: 'libkrb5-dev', why: "Kerberos headers code-server's kerberos module compiles against", for: ['start', 'test'] },
  { name: 'g++', why: "compiles code-server's native modules", for: ['start', 'test'] },
  { name: 'make', why: 'drives those builds (node-gyp)', for: ['start', 'test'] },
  { name: 'python3', why: 'runs node-gyp', for: ['start', 'test'] },
  { name: 'chromium', why: 'the headless browser the integration and e2e tests drive', for: ['test'] },
];

const APT_INSTALL = ['install', '-y', '-q', '--no-install-recommends'];

/** The package names `purpose` ('start' | 'test') needs. */
function packagesFor(purpose) {
  return SYSTEM_PACKAGES.filter((p) => p.for.includes(purpose)).map((p) => p.name);
}

/** The command a user runs by hand to install `names`. */
function manualCommand(names) {
  return `sudo apt-get update && sudo apt-get ${APT_INSTALL.filter((a) => a !== '-q').join(' ')} ${names.join(' ')}`;
}

/**
 * Which of `names` dpkg does not list as installed; undefined when there is no dpkg (not Debian/Ubuntu).
 * @param {string[]} names
 * @param {(cmd: string, args: string[]) => { status: number | null; stdout: string; error?: Error }} run
 */
function missingPackages(names, run) {
  const res = run('dpkg-query', ['-W', '-f=${Package} ${Status}\\n', ...names]);
  if (res.error) return undefined;
  const installed = new Set(
    res.stdout
      .split('\n')
      .filter((l) => / install ok installed$/.test(l))
      .map((l) => l.split(' ')[0].replace(/:.*$/, '')),
  );
  return names.filter((n) => !installed.has(n));
}

/**
 * How to get the missing packages: nothing to do, the apt-get commands to run (as root, or through `sudo -n` when it
 * needs no password), or a stop with one line that names the packages and the command to run by hand.
 */
function planInstall(missing, { isRoot, canSudo, command }) {
  if (missing.length === 0) return { kind: 'none' };
  const prefix = isRoot ? [] : canSudo ? ['sudo', '-n'] : undefined;
  if (!prefix) {
    return {
      kind: 'stop',
      message: `paved: ${command} needs the Debian packages ${missing.join(', ')}; install them, then run ${command} again: ${manualCommand(missing)}`,
    };
  }
  const argv = (args) => (prefix.length ? [...prefix, 'apt-get', ...args] : ['apt-get', ...args]);
  return { kind: 'install', commands: [argv(['update', '-q']), argv([...APT_INSTALL, ...missing])] };
}

class SetupError extends Error {}

/** The last line of apt-get's output that says what went wrong (E: …), else the last line. */
function aptReason(output) {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  return [...lines].reverse().find((l) => /^E:/.test(l)) ?? lines.at(-1) ?? 'no output';
}

/**
 * Makes sure the packages `purpose` needs are installed. Returns the packages it installed; throws a SetupError whose
 * message is one line for the user when it cannot install them.
 * @param {'start' | 'test'} purpose
 * @param {import('./systemPackages').System} sys
 */
function ensureSystemPackages(purpose, sys) {
  const command = purpose === 'start' ? 'npm start' : 'npm test';
  if (sys.env.PAVED_SKIP_SYSTEM_PACKAGES) return [];
  if (sys.platform !== 'linux') return []; // the code-server route is linux-x64 only; README › Quick start says what to do elsewhere
  const names = packagesFor(purpose);
  const missing = missingPackages(names, sys.run);
  if (missing === undefined) {
    sys.say(`paved: no dpkg here (not Debian/Ubuntu): make sure the equivalents of ${names.join(', ')} are installed (README › Quick start)`);
    return [];
  }
  if (missing.length === 0) return [];
  const isRoot = sys.isRoot();
  const canSudo = !isRoot && sys.run('sudo', ['-n', 'true']).status === 0;
  const plan = planInstall(missing, { isRoot, canSudo, command });
  if (plan.kind === 'stop') throw new SetupError(plan.message);
  if (plan.kind === 'none') return [];
  sys.say(`paved: installing the Debian packages ${missing.join(', ')} (${plan.commands[0].slice(0, -2).join(' ')}, once)`);
  for (const [cmd, ...args] of plan.commands) {
    const res = sys.run(cmd, args, { DEBIAN_FRONTEND: 'noninteractive' });
    if (res.status !== 0) {
      throw new SetupError(`paved: ${[cmd, ...args].join(' ')} failed (exit ${res.status}): ${aptReason(`${res.stdout}\n${res.stderr ?? ''}`)}; install them by hand: ${manualCommand(missing)}`);
    }
  }
  const still = missingPackages(names, sys.run) ?? [];
  if (still.length > 0) throw new SetupError(`paved: apt-get finished but ${still.join(', ')} is still not installed; install by hand: ${manualCommand(still)}`);
  return missing;
}

/**
 * How `npm start` opens VS Code: `code` (desktop, needs no package) when it is on the PATH, else code-server.
 * PAVED_START_ROUTE=code|code-server forces one.
 */
function startRoute(env, onPath) {
  return env.PAVED_START_ROUTE ?? (onPath('code') ? 'code' : 'code-server');
}

/** The real machine. */
function realSystem() {
  const { spawnSync } = require('node:child_process');
  return {
    platform: process.platform,
    env: process.env,
    isRoot: () => typeof process.getuid === 'function' && process.getuid() === 0,
    run: (cmd, args, extraEnv) => {
      const res = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...extraEnv } });
      return { status: res.status, stdout: res.stdout ?? '', stderr: res.stderr ?? '', error: res.error };
    },
    say: (line) => process.stdout.write(`${line}\n`),
  };
}

module.exports = { SYSTEM_PACKAGES, SetupError, ensureSystemPackages, missingPackages, packagesFor, planInstall, realSystem, startRoute };

// `node test/harness/systemPackages.js test|start`: what .ci/run and ensure-deps.js call.
if (require.main === module) {
  try {
    ensureSystemPackages(process.argv[2] === 'start' ? 'start' : 'test', realSystem());
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
