/**
 * What the Backstage backend shares with the parts it delegates to (scaffolder.ts, entityChecks.ts): its catalog
 * and HTTP calls bound to its lifetime, and small path and ref helpers.
 */
import type { CallOptions, ServiceQuery } from '../backend';
import type { QueryValue, ResponseValidator, Transport } from '../transport';
import { EntityRefError, humanizeEntityRef, type EntityName } from './entityRef';
import type { BackstageEntity } from './wire';

/** The backend's calls, each bound to its lifetime (a closed backend refuses them). */
export interface BackstageCalls {
  readonly transport: Transport;
  /** The signal for one call: the backend's lifetime and the caller's signal. */
  signal(opts: CallOptions | undefined): AbortSignal;
  /** A validated GET. */
  get<T>(path: string, schema: ResponseValidator<T>, opts: CallOptions | undefined, query?: Record<string, QueryValue>): Promise<T>;
  /** One page of `by-query` over `kinds`. */
  queryEntities(kinds: readonly string[], query: ServiceQuery, opts: CallOptions | undefined, fields?: readonly string[]): Promise<{ items: BackstageEntity[]; nextCursor?: string }>;
}

export const seg = (s: string) => encodeURIComponent(s);

export function byNamePath(e: EntityName): string {
  return `/api/catalog/entities/by-name/${seg(e.kind.toLowerCase())}/${seg(e.namespace.toLowerCase())}/${seg(e.name)}`;
}

/** A ref the short way, or as given when it cannot be read. */
export function safeHumanize(ref: string, defaultKind?: string): string {
  try {
    return humanizeEntityRef(ref, { defaultKind });
  } catch (err) {
    if (err instanceof EntityRefError) return ref;
    throw err;
  }
}
