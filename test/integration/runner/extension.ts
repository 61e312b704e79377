import * as http from 'node:http';
import * as vscode from 'vscode';
import { runSuite } from './mocha';
import { RUNNER_ENV, type RunnerConfig, type RunnerEvent } from './protocol';

/** POSTs one event to the harness; events are sent one after another so they arrive in order. */
function reporter(url: string): { emit: (e: RunnerEvent) => void; flush: () => Promise<void> } {
  let chain: Promise<void> = Promise.resolve();
  const post = (e: RunnerEvent) =>
    new Promise<void>((resolve) => {
      const body = Buffer.from(JSON.stringify(e));
      const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', (err) => {
        console.error(`paved-test-runner: could not report to the harness: ${err.message}`);
        resolve();
      });
      req.end(body);
    });
  return {
    emit: (e) => {
      chain = chain.then(() => post(e));
    },
    flush: () => chain,
  };
}

export async function activate(): Promise<void> {
  const raw = process.env[RUNNER_ENV];
  if (!raw) return; // installed but not asked to run
  const config = JSON.parse(raw) as RunnerConfig;
  if (!config.reportUrl) throw new Error(`${RUNNER_ENV} has no reportUrl`);
  const r = reporter(config.reportUrl);
  r.emit({
    type: 'hello',
    vscodeVersion: vscode.version,
    appName: vscode.env.appName,
    appHost: vscode.env.appHost,
    node: process.version,
    remoteName: vscode.env.remoteName,
  });
  (globalThis as { __pavedReport?: (e: RunnerEvent) => void }).__pavedReport = r.emit;
  try {
    await runSuite(config, r.emit);
  } catch (err) {
    r.emit({ type: 'fail', title: 'runner', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    r.emit({ type: 'end', passes: 0, failures: 1, pending: 0 });
  }
  await r.flush();
}
