/** Findings placed on 1-based lines and columns, as `paved lint` prints them and the agent tools return them. */
import { LineIndex } from './position';
import type { Finding } from './types';

export interface LocatedFinding {
  f: Finding;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export function locateFindings(text: string, findings: readonly Finding[]): LocatedFinding[] {
  if (findings.length === 0) return [];
  const idx = new LineIndex(text);
  // Editors do not count a byte-order mark as a column: neither do we.
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const col = (p: { line: number; column: number }) => (p.line === 0 ? Math.max(0, p.column - bom) : p.column) + 1;
  return findings.map((f) => {
    const s = idx.position(f.offset);
    const e = idx.position(f.offset + f.length);
    return { f, line: s.line + 1, column: col(s), endLine: e.line + 1, endColumn: col(e) };
  });
}
