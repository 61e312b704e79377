/**
 * The *Resources* section of the service details webview: each claim's state per environment with its outputs (secret
 * ones only named, never their values), the reason of a failure, *Copy connection string* for a ready claim, *Release…*
 * for an orphaned one, and *Add resource…*. Pure, escaped like the rest of render.ts.
 */
import type { ClaimState, ClaimStatus } from '../../core/api/types';
import { orderedEnvironments } from '../ui/environments';
import { esc } from './html';

const STATE_CLASS: Record<ClaimState, string> = { ready: 'ok', failed: 'bad', provisioning: 'busy', pending: 'muted', orphaned: 'warn' };

export interface ClaimsSection {
  /** Undefined: the platform keeps no claims (then `note` says why). */
  claims?: ClaimStatus[];
  note?: string;
  /** Whether *Add resource…* is offered (a paved.yaml in this workspace, a platform with resources). */
  canAdd: boolean;
}

function outputsText(c: ClaimStatus): string {
  const shown = Object.entries(c.outputs)
    .filter(([k]) => !c.secretOutputs.includes(k))
    .map(([k, v]) => `${esc(k)} <code>${esc(v)}</code>`);
  const secret = c.secretOutputs.length && Object.keys(c.outputs).length ? [`${c.secretOutputs.map(esc).join(', ')}: secret`] : [];
  return [...shown, ...secret].join(' · ');
}

function actions(c: ClaimStatus): string {
  const data = `data-claim="${esc(c.claim)}" data-environment="${esc(c.environment)}"`;
  if (c.state === 'ready') return `<a href="#" data-action="copyConnection" ${data} title="Copies the connection string to the clipboard without showing it">Copy connection string</a>`;
  if (c.state === 'orphaned') return `<a href="#" data-action="releaseClaim" ${data} title="Deletes the resource and its data, after asking">Release…</a>`;
  return '';
}

export function renderClaims(section: ClaimsSection): string {
  const add = section.canAdd ? '<p class="actions"><a href="#" data-action="addResource">Add resource…</a></p>' : '';
  if (section.claims === undefined) return `<p class="muted resources-note">${esc(section.note ?? 'This platform provisions no resources.')}</p>`;
  if (section.claims.length === 0) return `<p class="muted">No claims. A service asks for a database or a volume in paved.yaml (spec.claims) and the platform provisions it.</p>${add}`;
  const order = new Map(orderedEnvironments(Object.fromEntries(section.claims.map((c) => [c.environment, 'not-deployed' as const]))).map(([e], i) => [e, i]));
  const rows = [...section.claims]
    .sort((a, b) => a.claim.localeCompare(b.claim) || (order.get(a.environment) ?? 99) - (order.get(b.environment) ?? 99))
    .map(
      (c) =>
        `<tr class="claim" data-claim-row="${esc(`${c.claim}/${c.environment}`)}"><td><code>${esc(c.claim)}</code></td><td>${esc(c.type)} <span class="muted">${esc(c.class)}</span></td><td>${esc(c.environment)}</td><td><span class="dot ${STATE_CLASS[c.state]}"></span><span class="state ${STATE_CLASS[c.state]}">${esc(c.state)}</span></td><td>${outputsText(c)}${
          c.reason ? `<div class="muted">${esc(c.reason)}</div>` : ''
        }</td><td class="actions">${actions(c)}</td></tr>`,
    )
    .join('');
  return `<table class="history claims"><tr><th>Claim</th><th>Type</th><th>Environment</th><th>State</th><th>Details</th><th></th></tr>${rows}</table>${add}`;
}
