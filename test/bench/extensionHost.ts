/**
 * Benchmark of the Catalog inside the real extension host (not a test; `npm test` never runs it): for each size
 * (PAVED_BENCH_EXTHOST_SIZES, default 10k and 100k services) it starts `paved serve` with a generated catalog (the
 * services of test/bench/catalog.ts, written to its registration journal), opens code-server with the packaged
 * extension set to that server (paved.platform.kind = paved, paved.platform.url = the loopback URL; the token is
 * stored in SecretStorage by the in-host script), and runs test/integration/bench/*.bench.ts in the extension host
 * through the test-runner extension. The in-host script reports its figures as metrics; they are printed as a table
 * with the load average before and after.
 *
 * Needs `npm run build` first (the VSIX is made from dist/, and the server is dist/cli.js). Every process it starts
 * (paved serve, code-server) runs in a process group of its own and is ended before the next size — and on Ctrl-C.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleForExtensionHost, runSessionInCodeServer } from '../harness/extensionHost';
import { packagePaved, packageRunner, type Vsix } from '../harness/package';
import { outDir, repoRoot } from '../harness/paths';
import { spawnGroup, stopGroup } from '../harness/processes';
import { tempDir } from '../harness/workspace';
import { seedJournal } from './catalog';

const cli = path.join(repoRoot, 'dist', 'cli.js');

interface Server {
  url: string;
  token: string;
  pid: number;
  stop(): Promise<void>;
}

/** `paved serve --json` (dist/cli.js) in its own process group, on loopback, never idling out. */
async function startServe(stateDir: string): Promise<Server> {
  const child = spawnGroup(process.execPath, [cli, 'serve', '--json', '--state-dir', stateDir, '--idle-timeout', '0'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('paved serve did not start');
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const nl = out.indexOf('\n');
        if (nl >= 0) resolve(out.slice(0, nl));
      });
      child.once('exit', (code, signal) => reject(new Error(`paved serve exited (${code ?? signal}) before listening:\n${err}`)));
    });
    const info = JSON.parse(line) as { url: string; tokenFile: string };
    return { url: info.url, token: fs.readFileSync(info.tokenFile, 'utf8').trim(), pid, stop: () => stopGroup(pid, 10_000) };
  } catch (e) {
    await stopGroup(pid);
    throw e;
  }
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

async function benchSize(n: number, files: string[], vsixes: string[]): Promise<{ metrics: Record<string, string>; failures: number }> {
  const state = tempDir(`bench-exthost-${n}`);
  const metrics: Record<string, string> = { services: String(n), 'load average (1/5/15 min) at start': load() };
  let server: Server | undefined;
  try {
    seedJournal(state.path, n);
    server = await startServe(state.path);
    const t = await runSessionInCodeServer({
      name: `Catalog benchmark in the extension host, ${n} services`,
      fixture: 'basic',
      trusted: true,
      files,
      vsixes,
      env: {
        PAVED_BENCH_URL: server.url,
        PAVED_BENCH_TOKEN: server.token,
        PAVED_BENCH_SERVICES: String(n),
        // Optional: PAVED_BENCH_UI_WALK_MAX (largest catalog walked through the view), PAVED_BENCH_WARM_RUNS,
        // PAVED_BENCH_HEAP_SNAPSHOT_DIR (a heap snapshot of the extension host after the view walk goes there).
        ...Object.fromEntries(
          ['PAVED_BENCH_UI_WALK_MAX', 'PAVED_BENCH_WARM_RUNS', 'PAVED_BENCH_HEAP_SNAPSHOT_DIR'].flatMap((k) => {
            const v = process.env[k];
            return v ? [[k, v]] : [];
          }),
        ),
      },
      machineSettings: { 'paved.platform.kind': 'paved', 'paved.platform.url': server.url },
      testTimeoutMs: 60 * 60_000,
      timeoutMs: 90 * 60_000,
      onEvent: (e) => {
        if (e.type === 'metric') metrics[e.name] = `${e.value}${e.unit ? ` ${e.unit}` : ''}`;
      },
    });
    metrics['load average (1/5/15 min) at end'] = load();
    return { metrics, failures: t.failures + (t.passes === 0 ? 1 : 0) };
  } finally {
    await server?.stop();
    state.dispose();
  }
}

export async function run(): Promise<void> {
  for (const f of [path.join(repoRoot, 'dist', 'extension.js'), cli]) {
    if (!fs.existsSync(f)) throw new Error(`${path.relative(repoRoot, f)} is missing: run npm run build first`);
  }
  const sizes = (process.env.PAVED_BENCH_EXTHOST_SIZES ?? '10000,100000').split(',').map(Number);
  const benchDir = path.join(repoRoot, 'test', 'integration', 'bench');
  const entries = fs
    .readdirSync(benchDir)
    .filter((f) => f.endsWith('.bench.ts'))
    .map((f) => path.join(benchDir, f));
  const target = path.join(outDir, 'bench-extension-host', String(process.pid));
  const files = await bundleForExtensionHost(entries, target);
  // Copies of their own: an integration run beside this one packages to the same out/ paths.
  const own = (v: Vsix, name: string) => {
    const file = path.join(target, name);
    fs.copyFileSync(v.file, file);
    return file;
  };
  const vsixes = [own(await packagePaved(), 'paved.vsix'), own(await packageRunner(), 'paved-test-runner.vsix')];
  let failures = 0;
  try {
    for (const n of sizes) {
      const r = await benchSize(n, files, vsixes);
      console.table(r.metrics);
      failures += r.failures;
    }
  } finally {
    fs.rmSync(target, { recursive: true, force: true });
  }
  if (failures > 0) throw new Error(`the extension-host benchmark failed (${failures} failure${failures > 1 ? 's' : ''}; see above)`);
}

if (require.main === module) {
  run().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
