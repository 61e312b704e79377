/**
 * Idempotency-Key records: which resource a create request made, keyed by operation, path and key, with a hash of its
 * body. Journaled, so a retry after a restart still replays instead of creating twice.
 */
import { createHash } from 'node:crypto';
import { PavedError } from '../core/errors';
import { Journal } from './store';

interface IdempotencyRecord {
  scope: string;
  hash: string;
  id: string;
  at: string;
}

function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** The same for bodies that differ only in key order. */
export function bodyHash(body: unknown): string {
  return createHash('sha256').update(stableStringify(body ?? null)).digest('hex');
}

export class IdempotencyStore {
  private readonly records = new Map<string, IdempotencyRecord>();
  private readonly journal: Journal<IdempotencyRecord>;

  constructor(
    file: string,
    private readonly now: () => Date,
  ) {
    this.journal = new Journal(file);
  }

  load(): void {
    for (const r of this.journal.readAll()) this.records.set(r.scope, r);
  }

  /** The resource id stored for this scope with this body; a different body is an `idempotency-mismatch`. */
  replay(scope: string, body: unknown): string | undefined {
    const r = this.records.get(scope);
    if (!r) return undefined;
    if (r.hash !== bodyHash(body)) {
      throw new PavedError('conflict', 'this Idempotency-Key was used with a different request body', { detail: 'idempotency-mismatch' });
    }
    return r.id;
  }

  remember(scope: string, body: unknown, id: string): void {
    const r: IdempotencyRecord = { scope, hash: bodyHash(body), id, at: this.now().toISOString() };
    this.journal.append(r);
    this.records.set(scope, r);
  }

  close(): void {
    this.journal.close();
  }
}
