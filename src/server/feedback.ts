/**
 * Feedback from developers about the platform or one service (`/v1/feedback`), journaled in the state dir.
 */
import type { CreateFeedbackRequest, Feedback, Page } from '../core/api/types';
import { pageSorted } from '../core/catalog';
import { PavedError } from '../core/errors';
import { newId } from './ids';
import type { IdempotencyStore } from './idempotency';
import { idempotent, pageLimit, type Routes } from './routing';
import { Journal } from './store';

/** The catalog as feedback needs it: `entry` throws not-found for a service it does not know. */
export interface FeedbackCatalog {
  entry(name: string): unknown;
}

export class FeedbackStore {
  private readonly items: Feedback[] = [];
  private readonly journal: Journal<Feedback>;

  constructor(
    file: string,
    private readonly catalog: FeedbackCatalog,
    private readonly now: () => Date,
  ) {
    this.journal = new Journal(file);
  }

  load(): void {
    this.items.push(...this.journal.readAll());
  }

  create(req: CreateFeedbackRequest): Feedback {
    if (req.service !== undefined) this.catalog.entry(req.service);
    const now = this.now();
    const fb: Feedback = { ...req, id: newId('f', now), createdAt: now.toISOString() };
    this.journal.append(fb);
    this.items.push(fb);
    return fb;
  }

  get(id: string): Feedback {
    const f = this.items.find((x) => x.id === id);
    if (!f) throw new PavedError('not-found', `feedback ${id} is gone`);
    return f;
  }

  /** Every message in the order it arrived. */
  all(): readonly Feedback[] {
    return this.items;
  }

  /** Newest first. */
  list(limit: number, cursor?: string): Page<Feedback> {
    // The key is the position counted from the end, so it ascends as the list is walked.
    const sorted = this.items.map((f, i) => ({ f, key: String(Number.MAX_SAFE_INTEGER - i).padStart(16, '0') })).reverse();
    return pageSorted(sorted, (x) => x.key, { limit, cursor, map: (x) => x.f });
  }

  close(): void {
    this.journal.close();
  }
}

export function feedbackRoutes(feedback: FeedbackStore, idempotency: IdempotencyStore): Routes {
  return {
    listFeedback: (req) => ({ status: 200, body: feedback.list(pageLimit(req), req.query.cursor) }),
    createFeedback: (req) => idempotent(idempotency, req, (id) => feedback.get(id), () => feedback.create(req.body), 201),
  };
}
