import * as os from 'node:os';
import * as path from 'node:path';

/** The repository root. */
export const repoRoot = path.resolve(__dirname, '..', '..');

/** Where generated artefacts go: git-ignored, inside the repo. */
export const outDir = path.join(repoRoot, 'out');
/** Screenshots and stage summaries; PAVED_TEST_RESULTS_DIR moves them (tests that run a stage as a process). */
export const testResultsDir = process.env.PAVED_TEST_RESULTS_DIR ?? path.join(repoRoot, 'test-results');

/**
 * Downloads and installs are cached outside the repository so a second run starts in seconds.
 * Override with PAVED_CACHE_DIR.
 */
export const cacheDir = process.env.PAVED_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'paved');

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE24_VERSION = '24.21.0';
