/**
 * The feedback inbox: messages newest first with their state (new → acknowledged → done, set by the platform team),
 * counted by state, category and service.
 */
import type { Feedback, Page } from '../api/types';
import { pageSorted } from '../catalog/catalog';
import type { FeedbackInsights, FeedbackItem, FeedbackState } from './types';

export const FEEDBACK_STATES: readonly FeedbackState[] = ['new', 'acknowledged', 'done'];

export interface FeedbackStateChange {
  id: string;
  state: FeedbackState;
  at: string;
  by?: string;
}

export interface FeedbackInput {
  since: number;
  until: number;
  /** In the order they arrived. */
  items: readonly Feedback[];
  /** State changes in the order they were made; the last one of a message wins. */
  changes: readonly FeedbackStateChange[];
  /** The team of a service (feedback about a team's services is that team's). */
  teamOf: (service: string) => string | undefined;
  team?: string;
  state?: FeedbackState;
  category?: string;
  service?: string;
  limit: number;
  cursor?: string;
}

const count = (m: Map<string, number>, k: string): void => {
  m.set(k, (m.get(k) ?? 0) + 1);
};

export function feedbackInbox(input: FeedbackInput): FeedbackInsights {
  const last = new Map<string, FeedbackStateChange>();
  for (const c of input.changes) last.set(c.id, c);
  const inWindow: FeedbackItem[] = [];
  for (const f of input.items) {
    const t = Date.parse(f.createdAt);
    if (t < input.since || t > input.until) continue;
    if (input.team !== undefined && (f.service === undefined || input.teamOf(f.service) !== input.team)) continue;
    const c = last.get(f.id);
    const item: FeedbackItem = { ...f, state: c?.state ?? 'new' };
    if (c) {
      item.stateChangedAt = c.at;
      if (c.by) item.stateChangedBy = c.by;
    }
    inWindow.push(item);
  }
  const byState: Record<FeedbackState, number> = { new: 0, acknowledged: 0, done: 0 };
  const byCategory = new Map<string, number>();
  const byService = new Map<string, number>();
  for (const f of inWindow) {
    byState[f.state]++;
    count(byCategory, f.category ?? 'other');
    count(byService, f.service ?? '(platform)');
  }
  const shown = inWindow.filter((f) => (input.state === undefined || f.state === input.state) && (input.category === undefined || (f.category ?? 'other') === input.category) && (input.service === undefined || f.service === input.service));
  // Newest first: arrival order reversed; the key is the arrival position counted from the end.
  const sorted = shown.map((f, i) => ({ f, key: String(Number.MAX_SAFE_INTEGER - i).padStart(16, '0') })).reverse();
  const items: Page<FeedbackItem> = pageSorted(sorted, (x) => x.key, { limit: input.limit, cursor: input.cursor, map: (x) => x.f });
  const ranked = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const out: FeedbackInsights = {
    since: new Date(input.since).toISOString(),
    until: new Date(input.until).toISOString(),
    total: inWindow.length,
    byState,
    byCategory: ranked(byCategory).map(([category, n]) => ({ category, count: n })),
    byService: ranked(byService).map(([service, n]) => ({ service, count: n })),
    items,
  };
  if (input.team !== undefined) out.team = input.team;
  return out;
}
