/** Ids of the resources the local platform creates: `<prefix>-<UTC time>-<10 hex>`, sortable by creation time. */
import { randomBytes } from 'node:crypto';

/** `d` deployments, `t` scaffold tasks, `f` feedback. */
export function newId(prefix: 'd' | 't' | 'f', now: Date): string {
  return `${prefix}-${now.toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(5).toString('hex')}`;
}
