/** Messages the in-host runner sends to the harness (one JSON object per POST to the report URL). */
export type RunnerEvent =
  | { type: 'hello'; vscodeVersion: string; appName: string; appHost: string; node: string; remoteName?: string }
  | { type: 'pass'; title: string; durationMs: number }
  | { type: 'fail'; title: string; error: string }
  | { type: 'pending'; title: string }
  | { type: 'metric'; name: string; value: number; unit: string }
  | { type: 'log'; message: string }
  | { type: 'end'; passes: number; failures: number; pending: number };

/** What the harness hands the runner through the PAVED_TEST_RUN environment variable. */
export interface RunnerConfig {
  reportUrl?: string;
  /** Absolute paths of the compiled test files. */
  files: string[];
  /** Absolute path of the mocha package to load. */
  mocha: string;
  grep?: string;
  timeoutMs?: number;
}

export const RUNNER_ENV = 'PAVED_TEST_RUN';
