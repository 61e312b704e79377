/** Claims as the catalog tree's tooltip shows them: `db (postgres): staging ✓ ready · production ○ pending`. */
import type { ClaimState, ClaimSummary } from '../../core/api/types';
import { orderedEnvironments } from './environments';

const MARK: Record<ClaimState, string> = { ready: '✓', failed: '✗', provisioning: '↻', pending: '○', orphaned: '⚠' };

/** Markdown lines (escaped with `escape`) for a service's claims. */
export function claimLines(claims: readonly ClaimSummary[], escape: (s: string) => string): string[] {
  return [
    'Resources:  ',
    ...claims.map((c) => {
      const order = orderedEnvironments(Object.fromEntries(Object.keys(c.states).map((e) => [e, 'not-deployed' as const])));
      return `${escape(c.name)} (${escape(c.type)}): ${order.map(([env]) => `${escape(env)} ${MARK[c.states[env]]} ${c.states[env]}`).join(' · ')}  `;
    }),
  ];
}
