import * as path from 'node:path';
import { runSuite } from './mocha';
import { RUNNER_ENV, type RunnerConfig } from './protocol';

/** extensionTestsPath entry for the @vscode/test-electron route: same suite, results on the console. */
export async function run(): Promise<void> {
  const config = JSON.parse(process.env[RUNNER_ENV] ?? '{}') as RunnerConfig;
  const counts = await runSuite(config, (e) => {
    if (e.type === 'pass') console.log(`  ✔ ${e.title} (${e.durationMs} ms)`);
    else if (e.type === 'fail') console.log(`  ✘ ${e.title}\n${e.error}`);
    else if (e.type === 'metric') console.log(`  metric ${e.name}: ${e.value} ${e.unit}`);
    else if (e.type === 'end') console.log(`\nintegration (${path.basename(process.execPath)}): ${e.passes} passed, ${e.failures} failed`);
  });
  if (counts.failures > 0) throw new Error(`${counts.failures} integration test(s) failed`);
  if (counts.passes === 0) throw new Error('no integration test ran');
}
