/**
 * The upgrade plan of a service created from a golden path: per file, what a three-way upgrade does with it. `base`
 * is the recorded version rendered again with the recorded values, `theirs` the target version rendered with the same
 * values, `current` the files in the service now. Rules (Copier's and cruft's, per file):
 *
 * - the user changed it, the template did not → kept as the user has it (`unchanged`);
 * - only the template changed it → `updated` to the new version;
 * - both changed it → merged (`updated`, `merged: true`), or `conflicted` with standard conflict markers where hunks
 *   collide;
 * - the template added it → `added` (an existing file of the user's at that path is merged with it, no base);
 * - the user deleted it → it stays deleted (`kept`);
 * - the template removed it → `removed` only if the user never changed it, else `kept`;
 * - the template moved it (a path renamed, also through a placeholder, with most lines the same) → the user's changes
 *   follow it to the new path, and the old path is removed;
 * - a binary file (NUL bytes or not UTF-8, on any side) is never merged → `binary` (kept, reported).
 *
 * Line endings do not count as changes; merged files keep the user's. Pure: the caller reads and writes the files.
 */
import { PavedError } from '../errors';
import { unsafePathReason } from '../fs/safeWrite';
import { ANSWERS_FILE } from './answers';
import { eolOf, mergeText, normaliseEol, sameText, withEol, type MergeLabels } from './merge3';

/** A file as the platform rendered it. */
export interface RenderedFile {
  path: string;
  content: string;
  mode: number;
}

/** A file in the service now. `unreadable` says why it cannot take part (e.g. a symbolic link is in its place). */
export interface CurrentFile {
  content: string | Uint8Array;
  mode: number;
  unreadable?: string;
}

export type UpgradeAction = 'updated' | 'added' | 'removed' | 'conflicted' | 'kept' | 'binary';

export interface PlannedFile {
  path: string;
  action: UpgradeAction;
  /** One line: why (shown in the plan). */
  reason: string;
  /** What `updated`, `added` and `conflicted` write. */
  content?: string;
  mode?: number;
  /** `updated`: both sides changed it and the merge was clean. */
  merged?: boolean;
  /** `conflicted`: how many conflict blocks `content` has. */
  conflicts?: number;
  /** The file in the service now, as text (absent: there is none, or it is binary). */
  current?: string;
  /** The golden path's file at the target version (for the diff against the recorded version). */
  theirs?: string;
  base?: string;
  /** The template moved this file here from that path. */
  renamedFrom?: string;
}

export interface UpgradePlan {
  /** Every file the upgrade touches or reports, by path. */
  files: PlannedFile[];
  /** Template files nothing happens to (same in both versions, or already as the target has them). */
  unchanged: number;
  counts: Record<UpgradeAction, number>;
}

export interface PlanInput {
  base: readonly RenderedFile[];
  theirs: readonly RenderedFile[];
  /** The service's files at the paths of `base` and `theirs` that exist. */
  current: ReadonlyMap<string, CurrentFile>;
  labels: MergeLabels;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The text of a file, or undefined when it is binary (a NUL byte, or not UTF-8). */
export function textOf(content: string | Uint8Array): string | undefined {
  if (typeof content === 'string') return content.includes('\0') ? undefined : content;
  if (content.subarray(0, 8000).includes(0)) return undefined;
  try {
    return decoder.decode(content);
  } catch {
    return undefined;
  }
}

/** Share of lines two texts have in common (0..1), for telling a moved file from a new one. */
function similarity(a: string, b: string): number {
  const set = (t: string) => new Set(normaliseEol(t).split('\n').map((l) => l.trim()).filter((l) => l !== ''));
  const x = set(a);
  const y = set(b);
  if (x.size === 0 && y.size === 0) return 1;
  let common = 0;
  for (const l of x) if (y.has(l)) common++;
  return common / Math.max(x.size, y.size);
}

const RENAME_THRESHOLD = 0.6;

function byPath(files: readonly RenderedFile[], side: string): Map<string, RenderedFile> {
  const out = new Map<string, RenderedFile>();
  for (const f of files) {
    const why = unsafePathReason(f.path);
    if (why) throw new PavedError('untrusted', `refusing the ${side} file ${JSON.stringify(f.path)}: ${why}`);
    if (f.path === ANSWERS_FILE) continue; // Paved's own record, never a template file
    out.set(f.path, f);
  }
  return out;
}

/** Pairs each file the template removed with the added file it most resembles (a move), above the threshold. */
function renames(removed: RenderedFile[], added: RenderedFile[]): Map<string, RenderedFile> {
  const pairs: { from: string; to: RenderedFile; score: number }[] = [];
  for (const r of removed) for (const a of added) {
    const score = similarity(r.content, a.content);
    if (score >= RENAME_THRESHOLD) pairs.push({ from: r.path, to: a, score });
  }
  pairs.sort((x, y) => y.score - x.score || (x.from < y.from ? -1 : 1));
  const out = new Map<string, RenderedFile>();
  const taken = new Set<string>();
  for (const p of pairs) {
    if (out.has(p.from) || taken.has(p.to.path)) continue;
    out.set(p.from, p.to);
    taken.add(p.to.path);
  }
  return out;
}

export function planUpgrade(input: PlanInput): UpgradePlan {
  const base = byPath(input.base, 'recorded version');
  const theirs = byPath(input.theirs, 'target version');
  const files: PlannedFile[] = [];
  let unchanged = 0;
  const removed = [...base.values()].filter((f) => !theirs.has(f.path));
  const added = [...theirs.values()].filter((f) => !base.has(f.path) && !input.current.has(f.path));
  const moved = renames(removed, added);
  const movedTo = new Map([...moved].map(([from, to]) => [to.path, from]));

  const push = (f: PlannedFile | undefined) => (f ? files.push(f) : unchanged++);
  for (const t of theirs.values()) {
    const from = movedTo.get(t.path);
    if (from !== undefined) push(planMoved(from, base.get(from)!, t, input));
    else push(planFile(t.path, base.get(t.path), t, input.current.get(t.path), input.labels));
  }
  for (const b of removed) {
    const to = moved.get(b.path);
    const cur = input.current.get(b.path);
    if (!cur) unchanged++;
    else if (to) files.push({ path: b.path, action: 'removed', reason: `the golden path moved it to ${to.path}`, base: b.content, ...currentText(cur) });
    else push(planRemoved(b, cur));
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const counts: Record<UpgradeAction, number> = { updated: 0, added: 0, removed: 0, conflicted: 0, kept: 0, binary: 0 };
  for (const f of files) counts[f.action]++;
  return { files, unchanged, counts };
}

function currentText(cur: CurrentFile | undefined): { current?: string } {
  const text = cur && !cur.unreadable ? textOf(cur.content) : undefined;
  return text === undefined ? {} : { current: text };
}

/** The mode to write: the user's, unless the template changed the mode and the user kept the old one. */
function modeFor(base: RenderedFile | undefined, theirs: RenderedFile, cur: CurrentFile | undefined): number {
  if (!cur) return theirs.mode;
  if (base && base.mode !== theirs.mode && (cur.mode & 0o777) === (base.mode & 0o777)) return theirs.mode;
  return cur.mode & 0o777;
}

/** A path in the target version: changed, added, or unchanged (undefined). */
function planFile(path: string, b: RenderedFile | undefined, t: RenderedFile, cur: CurrentFile | undefined, labels: MergeLabels): PlannedFile | undefined {
  const common = { path, theirs: t.content, ...(b ? { base: b.content } : {}), ...currentText(cur) };
  if (!cur) {
    if (b) return b.content === t.content ? undefined : { ...common, action: 'kept', reason: 'you deleted it: it stays deleted' };
    return { ...common, action: 'added', reason: 'new in the golden path', content: t.content, mode: t.mode };
  }
  if (cur.unreadable) return b && b.content === t.content ? undefined : { ...common, action: 'kept', reason: cur.unreadable };
  const text = textOf(cur.content);
  if (b && sameText(b.content, t.content) && (b.mode === t.mode || text === undefined)) return undefined; // the template did not change it
  if (text === undefined || textOf(t.content) === undefined || (b && textOf(b.content) === undefined)) {
    return { ...common, action: 'binary', reason: 'binary file: never merged, kept as it is' };
  }
  const mode = modeFor(b, t, cur);
  if (sameText(text, t.content)) return mode === (cur.mode & 0o777) ? undefined : { ...common, action: 'updated', reason: 'file mode changed', content: text, mode };
  if (b && sameText(text, b.content)) {
    return { ...common, action: 'updated', reason: 'changed in the golden path', content: withEol(t.content, eolOf(text)), mode };
  }
  const merge = mergeText(text, b?.content ?? '', t.content, labels);
  if (merge.conflicts > 0) {
    const why = b ? 'changed by you and by the golden path in the same place' : 'the golden path adds a file you already have';
    return { ...common, action: 'conflicted', reason: `${why}: ${merge.conflicts} conflict${merge.conflicts === 1 ? '' : 's'} to resolve`, content: merge.text, mode, conflicts: merge.conflicts };
  }
  return { ...common, action: 'updated', reason: 'changed by you and by the golden path: merged', content: merge.text, mode, merged: true };
}

/** A file the template moved from `from` to `t.path`: the user's changes to the old file follow it. */
function planMoved(from: string, b: RenderedFile, t: RenderedFile, input: PlanInput): PlannedFile {
  const cur = input.current.get(from);
  if (!cur) return { path: t.path, action: 'kept', reason: `you deleted ${from}, which the golden path moved here: not added`, theirs: t.content, base: b.content, renamedFrom: from };
  const planned = planFile(t.path, b, t, cur, input.labels);
  if (!planned) return { path: t.path, action: 'added', reason: `moved from ${from}`, content: textOf(cur.content) ?? t.content, mode: modeFor(b, t, cur), theirs: t.content, base: b.content, renamedFrom: from };
  if (planned.action === 'kept' || planned.action === 'binary') return { ...planned, renamedFrom: from };
  const { current: _old, ...rest } = planned;
  return { ...rest, action: planned.action === 'updated' ? 'added' : planned.action, reason: `moved from ${from}; ${planned.reason}`, renamedFrom: from };
}

/** A file the target version no longer has. */
function planRemoved(b: RenderedFile, cur: CurrentFile): PlannedFile | undefined {
  const common = { path: b.path, base: b.content, ...currentText(cur) };
  if (cur.unreadable) return { ...common, action: 'kept', reason: cur.unreadable };
  const text = textOf(cur.content);
  if (text === undefined) return { ...common, action: 'binary', reason: 'binary file the golden path no longer has: kept' };
  if (sameText(text, b.content)) return { ...common, action: 'removed', reason: 'the golden path no longer has it' };
  return { ...common, action: 'kept', reason: 'the golden path no longer has it, but you changed it: kept' };
}
