/**
 * The platform team's state of each feedback message (new → acknowledged → done), journaled next to the feedback in
 * the state dir (`feedback-states.jsonl`): every change is a record, the last one of a message wins.
 */
import type { FeedbackState, FeedbackStateChange } from '../../core/insights';
import { Journal } from '../store';

export class FeedbackStates {
  private readonly changes: FeedbackStateChange[] = [];
  private readonly journal: Journal<FeedbackStateChange>;

  constructor(
    file: string,
    private readonly now: () => Date,
  ) {
    this.journal = new Journal(file);
  }

  load(): void {
    this.changes.push(...this.journal.readAll());
  }

  all(): readonly FeedbackStateChange[] {
    return this.changes;
  }

  set(id: string, state: FeedbackState, by?: string): FeedbackStateChange {
    const change: FeedbackStateChange = { id, state, at: this.now().toISOString() };
    if (by !== undefined) change.by = by;
    this.journal.append(change);
    this.changes.push(change);
    return change;
  }

  close(): void {
    this.journal.close();
  }
}
