/**
 * A deployment survives a real window reload, in a real browser workbench: Deploy… starts a deployment of the
 * `reload` fixture's slow-api (its build waits for a signal file), the page is reloaded while the build waits (a new
 * extension host), the reloaded window re-attaches — its progress notification and the deployment's own output
 * continue — and once the signal file appears the deployment ends healthy with its log complete, each line once.
 *
 * Nothing sleeps: the test waits on the platform's events (over its HTTP API, from this process), on the workbench's
 * DOM, and on the deployment output's file (a LogOutputChannel is a log file under the profile's logs folder: what the
 * Output view shows).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Deployment, DeploymentEvent } from '../../src/core/api/types';
import type { PlatformBackend } from '../../src/platform/backend';
import { connect } from '../../src/platform/connection';
import { repoRoot } from '../harness/paths';
import { openPavedSidebar, openPavedWorkbench, type Workbench, runCommand, stopPlatformAndClose } from '../harness/workbench';
import { tempDir } from '../harness/workspace';

const SERVICE = 'slow-api';

/** Re-checks `probe` (a file, the platform) until it yields a value; fails with `what` after `timeoutMs`. */
async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function walk(dir: string, found: string[] = []): string[] {
  if (!fs.existsSync(dir)) return found;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && !e.isSymbolicLink()) walk(p, found);
    else found.push(p);
  }
  return found;
}

/** The output files of one deployment's log ("Paved: slow-api → local #<id>"), oldest first (one per extension host). */
function deploymentOutputs(profileDir: string, id: string): string[] {
  return walk(path.join(profileDir, 'user-data', 'logs'))
    .filter((f) => path.basename(f).includes(`${SERVICE} → local #${id}`) && f.endsWith('.log'))
    .sort((a, b) => fs.statSync(a).birthtimeMs - fs.statSync(b).birthtimeMs || a.localeCompare(b));
}

/** The messages of a log file ("<time> [info] message" lines). */
function messages(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((l) => {
      const m = /^\S+ \S+ \[(?:trace|debug|info|warning|error)\] (.*)$/.exec(l);
      return m ? [m[1]] : [];
    });
}

/**
 * Event seq numbers of the event lines, in order ("#12 …", "state → building: #3 …"); a batch of output is one event
 * shown as several lines with the same seq, counted once.
 */
function eventSeqs(lines: readonly string[]): number[] {
  return lines.flatMap((l, i) => {
    const m = /^(?:\w+(?: → [\w-]+)?: )?#(\d+) /.exec(l);
    if (!m) return [];
    const prev = i > 0 ? /^(?:\w+(?: → [\w-]+)?: )?#(\d+) /.exec(lines[i - 1]) : null;
    return prev?.[1] === m[1] ? [] : [Number(m[1])];
  });
}

/** The lines of an event's message (the platform batches a process's output: one event per read, lines joined). */
const lines = (ev: DeploymentEvent | undefined): string[] => ev?.message.split('\n') ?? [];

describe('A deployment survives a real window reload (browser workbench)', function () {
  this.timeout(600_000);
  let wb: Workbench;
  const signal = tempDir('e2e-signal');
  const signalFile = path.join(signal.path, 'build-may-finish');

  before(async () => {
    wb = await openPavedWorkbench({ fixture: 'reload', env: { PAVED_E2E_SIGNAL: signalFile } });
    console.log(`    (VS Code ${wb.vscodeVersion} at ${wb.codeServer.url})`);
  });

  after(async () => {
    // Whatever happened, let the fixture's build end.
    fs.writeFileSync(signalFile, 'go\n');
    await stopPlatformAndClose(wb);
    signal.dispose();
  });

  /** The local platform the window started, as a client in this process. */
  async function platform(): Promise<PlatformBackend> {
    const serveJson = await until('the local platform (serve.json under the profile)', () => walk(wb.profileDir).find((f) => path.basename(f) === 'serve.json'));
    return connect(
      { settings: { kind: 'local', url: '', ignored: [] }, trusted: true, token: () => Promise.resolve(''), localStateDir: path.dirname(serveJson) },
      { packageRoot: repoRoot },
    );
  }

  it('re-attaches after page.reload(): the progress and the deployment’s output continue, it ends healthy, every log line once', async () => {
    const page = wb.page;
    const row = (text: string | RegExp) => page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
    const progress = page.locator('.notifications-toasts .notification-toast', { hasText: `Deploying ${SERVICE} to local` }).first();

    // 1. The Paved sidebar (the extension's contributions are loaded), then Paved: Deploy… → slow-api → local → New release.
    await openPavedSidebar(page);
    await runCommand(page, 'Paved: Deploy…');
    await row(SERVICE).waitFor({ state: 'visible', timeout: 120_000 });
    await row(SERVICE).click();
    await row(/^local/).waitFor({ state: 'visible', timeout: 60_000 });
    await row(/^local/).click();
    await row('New release').waitFor({ state: 'visible', timeout: 60_000 });
    await row('New release').click();

    // 2. The build waits for the signal: seen on the platform, in the notification and in the deployment's output.
    const backend = await platform();
    const deployment = await until<Deployment>('the deployment of slow-api', async () => (await backend.listDeployments(SERVICE, { limit: 5 })).items[0]);
    const waiting = `waiting for ${signalFile}`;
    const beforeReload: DeploymentEvent[] = [];
    for await (const ev of backend.deploymentEvents(deployment.id, { after: 0 })) {
      beforeReload.push(ev);
      if (lines(ev).includes(waiting)) break;
    }
    assert.ok(lines(beforeReload.at(-1)).includes(waiting), 'the build is waiting for the signal');
    await progress.waitFor({ state: 'visible', timeout: 60_000 });
    const firstOutput = await until('the deployment’s output showing the wait', () => deploymentOutputs(wb.profileDir, deployment.id).find((f) => messages(f).some((m) => m.endsWith(waiting))));
    await wb.screenshot('e2e-reload-1-waiting');

    // 3. A real window reload: a new extension host, which re-attaches to the recorded deployment.
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.waitForSelector('.monaco-workbench', { timeout: 120_000 });
    await progress.waitFor({ state: 'visible', timeout: 120_000 });
    const secondOutput = await until('the re-attached deployment’s output', () =>
      deploymentOutputs(wb.profileDir, deployment.id).find((f) => f !== firstOutput && messages(f).some((m) => m.startsWith('re-attached after a window reload'))),
    );
    const stillRunning = await backend.getDeployment(deployment.id);
    assert.equal(stillRunning.state, 'building', 're-attached while the build still waits');
    await wb.screenshot('e2e-reload-2-reattached');

    // The notification's "Show Log" link opens that output.
    await progress.locator('a', { hasText: 'Show Log' }).first().click();
    await page.locator('.part.panel .monaco-editor .view-lines', { hasText: 're-attached after a window reload' }).first().waitFor({ state: 'visible', timeout: 60_000 });

    // 4. Let the build finish: the re-attached window follows it to the end and reports it healthy.
    fs.writeFileSync(signalFile, 'go\n');
    const healthy = page.locator('.notifications-toasts .notification-toast', { hasText: new RegExp(`${SERVICE} \\(r-\\S+\\) is running in local at http://127\\.0\\.0\\.1:\\d+`) }).first();
    await healthy.waitFor({ state: 'visible', timeout: 180_000 });
    await wb.screenshot('e2e-reload-3-healthy');
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(await healthy.innerText())?.[0];
    assert.ok(url);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    const final = await backend.getDeployment(deployment.id);
    assert.equal(final.state, 'succeeded');

    // 5. The log: every event of the deployment exactly once, in order, in the reloaded window's output.
    const all: DeploymentEvent[] = [];
    for await (const ev of backend.deploymentEvents(deployment.id, { after: 0 })) all.push(ev);
    const after = await until('the complete output', () => {
      const m = messages(secondOutput);
      return m.includes('finished: succeeded') ? m : undefined;
    });
    assert.deepEqual(eventSeqs(after), all.map((e) => e.seq), 'each event once, in order');
    for (const text of ['build line 3 of 6', waiting, 'signal seen', 'build line 6 of 6']) {
      assert.equal(after.filter((m) => m.endsWith(` ${text}`)).length, 1, `"${text}" once`);
    }
    const header = after.find((m) => m.startsWith('re-attached after a window reload'));
    const live = /live from event (\d+)$/.exec(header ?? '');
    assert.ok(live, header);
    // Before the reload the window's output showed a prefix of the same events.
    const before = eventSeqs(messages(firstOutput));
    assert.deepEqual(before, all.slice(0, before.length).map((e) => e.seq));
    assert.ok(before.length >= beforeReload.length, `the first window showed ${before.length} events, the platform had ${beforeReload.length} when it waited`);
    assert.ok(Number(live[1]) <= before.length + 1, `live from ${live[1]}: nothing the first window did not show was skipped`);
    console.log(`    events: ${all.length}; shown before the reload: ${before.length}; stored as seen: ${Number(live[1]) - 1}; re-attached output: ${after.length} lines`);
  });
});
