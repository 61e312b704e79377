import { createRequire } from 'node:module';
import type { RunnerConfig, RunnerEvent } from './protocol';

type Emit = (event: RunnerEvent) => void;

interface MochaTest {
  fullTitle(): string;
  duration?: number;
}
interface MochaRunner {
  on(event: 'pass' | 'pending', cb: (test: MochaTest) => void): void;
  on(event: 'fail', cb: (test: MochaTest, err: Error) => void): void;
  on(event: 'end', cb: () => void): void;
  stats?: { passes: number; failures: number; pending: number };
}

/**
 * Runs the compiled integration suite with mocha inside the current process (the extension host) and emits one
 * event per result. Shared by both routes: the code-server runner extension and @vscode/test-electron.
 */
export function runSuite(config: RunnerConfig, emit: Emit): Promise<{ passes: number; failures: number; pending: number }> {
  const req = createRequire(__filename);
  const MochaCtor = req(config.mocha) as new (opts: object) => {
    addFile(f: string): void;
    run(cb: (failures: number) => void): MochaRunner;
  };
  const counts = { passes: 0, failures: 0, pending: 0 };
  function Reporter(runner: MochaRunner) {
    runner.on('pass', (t) => {
      counts.passes++;
      emit({ type: 'pass', title: t.fullTitle(), durationMs: t.duration ?? 0 });
    });
    runner.on('fail', (t, err) => {
      counts.failures++;
      emit({ type: 'fail', title: t.fullTitle(), error: err?.stack ?? String(err) });
    });
    runner.on('pending', (t) => {
      counts.pending++;
      emit({ type: 'pending', title: t.fullTitle() });
    });
  }
  const mocha = new MochaCtor({ ui: 'bdd', color: false, timeout: config.timeoutMs ?? 60_000, reporter: Reporter, grep: config.grep });
  for (const f of config.files) mocha.addFile(f);
  return new Promise((resolve) => {
    mocha.run(() => {
      emit({ type: 'end', ...counts });
      resolve(counts);
    });
  });
}
