/**
 * When and how the transport retries: which methods and statuses may be repeated, the default policy, exponential
 * backoff with full jitter, `Retry-After` parsing, and Idempotency-Keys that make a POST safe to repeat.
 */
import { randomUUID } from 'node:crypto';
import type { Clock, HttpMethod, RetryPolicy } from './transportTypes';

/** A fresh Idempotency-Key for one logical operation. */
export function newIdempotencyKey(): string {
  return randomUUID();
}

/** Parses Retry-After (delta seconds or HTTP date) into ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export const IDEMPOTENT = new Set<HttpMethod>(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
export const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/** When a failed attempt may be repeated. */
export type RetryClass = 'never' | 'if-idempotent' | 'always';

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 8_000, maxRetryAfterMs: 30_000 };

/** Delay before retry number `retryNumber` (1-based): full jitter under an exponential ceiling. */
export function backoffDelay(retry: RetryPolicy, clock: Clock, retryNumber: number): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (retryNumber - 1));
  return Math.floor(clock.random() * ceiling);
}
