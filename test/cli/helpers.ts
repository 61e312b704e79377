/** The `paved` CLI as a process, for the CLI test suites. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { repoRoot } from '../contract/helpers';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Bundles the CLI from the current source (esbuild, one file) into test-results/, one level under the repository, so
 * it finds schemas/ and the golden paths as dist/cli.js does — with the catalog's scan worker beside it, as in dist/.
 * Returns the bundle's path.
 */
export function buildCli(name: string): string {
  const bundle = path.join(repoRoot, 'test-results', `paved-cli-under-test-${name}-${process.pid}.js`);
  fs.mkdirSync(path.dirname(bundle), { recursive: true });
  const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node18', logLevel: 'warning' } as const;
  buildSync({ ...common, entryPoints: [path.join(repoRoot, 'src/cli/main.ts')], outfile: bundle });
  buildSync({ ...common, entryPoints: [path.join(repoRoot, 'src/server/catalog/scanWorker.ts')], outfile: path.join(path.dirname(bundle), 'scan-worker.js') });
  return bundle;
}

/** Runs `paved ARGS` from `bundle` to its exit, collecting stdout and stderr; `input` is written to its stdin (else none). */
export function runCli(bundle: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; input?: string }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [bundle, ...args], { cwd: opts.cwd, env: opts.env, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (opts.input !== undefined) proc.stdin?.end(opts.input);
    let stdout = '';
    let stderr = '';
    proc.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    proc.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    proc.once('error', reject);
    proc.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
