/**
 * Benchmark of the AI-agent tools over MCP (not a test), against a real `paved serve` with the basic fixture workspace:
 * `paved mcp` (dist/cli.js, as the editor starts it) from spawn to its tool list, then warm calls of a catalog search
 * and a manifest lint. Peer in the same run: what an agent without these tools does — one `paved` process per
 * question (`paved services --query … --json`, `paved lint FILE --format json`).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { portBase, repoRoot, serve, tempDir } from '../contract/helpers';

const cli = path.join(repoRoot, 'dist', 'cli.js');

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)].toFixed(1)} ms, best ${s[0].toFixed(1)} ms (n=${s.length})`;
}

export async function run(): Promise<void> {
  if (!fs.existsSync(cli)) throw new Error('dist/cli.js is missing: run npm run build first');
  const stateDir = tempDir('bench-mcp-state');
  const work = tempDir('bench-mcp-work');
  fs.cpSync(path.join(repoRoot, 'test/fixtures/workspaces/basic/services'), path.join(work, 'services'), { recursive: true });
  const served = await serve(['--port', '0', '--state-dir', stateDir, '--port-base', String(portBase()), '--workspace', work, '--idle-timeout', '0'], {}, cli);
  const env = Object.fromEntries(Object.entries({ ...process.env, PAVED_STATE_DIR: stateDir }).filter((e): e is [string, string] => typeof e[1] === 'string' && !['PAVED_TOKEN', 'PAVED_URL', 'PAVED_BACKEND'].includes(e[0])));
  try {
    const starts: number[] = [];
    let client: Client | undefined;
    for (let i = 0; i < 5; i++) {
      await client?.close();
      const t0 = performance.now();
      client = new Client({ name: 'bench', version: '1' });
      await client.connect(new StdioClientTransport({ command: process.execPath, args: [cli, 'mcp', '--workspace', work], env, cwd: work, stderr: 'ignore' }));
      await client.listTools();
      starts.push(performance.now() - t0);
    }
    console.log(`paved mcp: spawn to tool list ${stats(starts)}`);
    const timeCalls = async (name: string, args: Record<string, unknown>, n: number) => {
      const times: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        const r = (await client!.callTool({ name, arguments: args })) as { isError?: boolean };
        times.push(performance.now() - t0);
        if (r.isError) throw new Error(`${name} failed: ${JSON.stringify(r)}`);
      }
      return times;
    };
    await timeCalls('paved_search_services', { text: 'ledger' }, 3);
    console.log(`paved_search_services over MCP (warm): ${stats(await timeCalls('paved_search_services', { text: 'ledger' }, 50))}`);
    console.log(`paved_lint_manifest over MCP (warm): ${stats(await timeCalls('paved_lint_manifest', { path: 'services/ledger/paved.yaml' }, 50))}`);
    await client!.close();

    const proc = (args: string[]) => {
      const times: number[] = [];
      for (let i = 0; i < 10; i++) {
        const t0 = performance.now();
        const r = spawnSync(process.execPath, [cli, ...args], { cwd: work, env, encoding: 'utf8' });
        times.push(performance.now() - t0);
        if (r.status !== 0 && r.status !== 1) throw new Error(`paved ${args.join(' ')}: ${r.stderr}`);
      }
      return times;
    };
    console.log(`peer: paved services --query ledger --json, one process per call: ${stats(proc(['services', '--query', 'ledger', '--json']))}`);
    console.log(`peer: paved lint services/ledger/paved.yaml --format json, one process per call: ${stats(proc(['lint', 'services/ledger/paved.yaml', '--format', 'json']))}`);
  } finally {
    await served.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  }
}
