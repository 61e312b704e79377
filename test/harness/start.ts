/**
 * `npm start`: opens VS Code with Paved loaded on a demo workspace.
 * - `code` on PATH: VS Code desktop with --extensionDevelopmentPath (F5-like, uses dist/ directly).
 * - otherwise: code-server on 127.0.0.1 (no auth, loopback only) with the packaged extension, URL printed.
 * PAVED_START_ROUTE=code-server|code forces a route; PAVED_PORT picks the port (default 8484, a free one if taken).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { ensureCodeServer, installExtensions, startCodeServer } from './codeServer';
import { packagePaved } from './package';
import { seedSampleInsights } from './sampleInsights';
import { cacheDir, repoRoot } from './paths';
import { startRoute } from './systemPackages';

const say = (m: string) => process.stdout.write(`${m}\n`);

/** The demo workspace lives in the cache so what you change there survives restarts; created once from the fixture. */
function demoWorkspace(): string {
  const dir = process.env.PAVED_DEMO_WORKSPACE ?? path.join(cacheDir, 'demo-workspace');
  if (!fs.existsSync(dir)) {
    fs.cpSync(path.join(repoRoot, 'test', 'fixtures', 'workspaces', 'demo'), dir, { recursive: true });
  }
  return dir;
}

function onPath(cmd: string): boolean {
  return spawnSync(process.platform === 'win32' ? 'where' : 'which', [cmd], { stdio: 'ignore' }).status === 0;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function main(): Promise<void> {
  const route = startRoute(process.env, onPath);
  const workspace = demoWorkspace();
  if (route === 'code') {
    say(`Opening VS Code with Paved from ${repoRoot} on ${workspace}`);
    const child = spawn('code', ['--extensionDevelopmentPath', repoRoot, workspace], { stdio: 'inherit' });
    child.on('exit', (code) => process.exit(code ?? 0));
    return;
  }
  const cs = ensureCodeServer();
  const vsix = await packagePaved();
  const profile = { userDataDir: path.join(cacheDir, 'start-profile', 'user-data'), extensionsDir: path.join(cacheDir, 'start-profile', 'extensions') };
  installExtensions(cs, profile, [vsix.file]);
  const wanted = Number(process.env.PAVED_PORT ?? 8484);
  const port = (await portFree(wanted)) ? wanted : 0;
  // The demo's own state dir (what startCodeServer gives the extension): sample insights, once, clearly labelled.
  const demoState = path.join(profile.userDataDir, 'paved-state');
  if (await seedSampleInsights(demoState, workspace)) say(`Seeded sample data for Paved: Platform Insights into the demo state dir ${demoState}`);
  const server = await startCodeServer(cs, profile, { workspace, port, trust: true });
  say('');
  say(`Paved is running in VS Code ${cs.vscodeVersion} (code-server, loopback only, no password):`);
  say(`  ${server.folderUrl(workspace)}`);
  say('');
  say('Open the Paved icon in the activity bar. Press Ctrl-C here to stop.');
  await new Promise<void>(() => undefined); // until Ctrl-C: the harness ends the process group it started
}

main().catch((err: unknown) => {
  process.stderr.write(`npm start failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
