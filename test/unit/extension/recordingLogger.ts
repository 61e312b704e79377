import type { Logger } from '../../../src/extension/log';

/** A Logger (vscode-free) that appends every message to `lines`, for tests that assert on what was logged. */
export function recordingLogger(lines: string[]): Logger {
  const log: Logger = {
    trace: (m) => lines.push(m),
    debug: (m) => lines.push(m),
    info: (m) => lines.push(m),
    warn: (m) => lines.push(m),
    error: (m) => lines.push(String(m)),
    child: () => log,
  };
  return log;
}
