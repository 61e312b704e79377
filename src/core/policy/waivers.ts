/**
 * Waivers, not silence: a team that cannot meet a rule yet records a time-limited exception (rule, reason, expiry
 * date, optionally who approved it) in its manifest (`spec.waivers`) or its repository's `.paved/policies.yaml`.
 *  - valid: the rule's findings become information, "Waived until DATE: reason";
 *  - expired (after its `expires` day, UTC): the rule counts again and its findings say the waiver expired;
 *  - refused: the platform marks the rule `waivable: false`, or the waiver runs past the platform's `maxWaiverDays`
 *    (counted from today); the rule counts, and the waiver gets a finding of its own.
 * Today comes from the caller (`now`), so tests script it.
 */
import type { PolicyFinding, PolicyRule, PolicySet, Waiver } from './types';

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Days from `today` to `date` (YYYY-MM-DD, UTC); undefined when it is not a date. */
export function daysUntil(date: string, today: Date): number | undefined {
  const m = DATE.exec(date);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(t).toISOString().slice(0, 10) !== date) return undefined;
  return Math.round((t - Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate())) / DAY_MS);
}

/** The waivers a manifest declares (`spec.waivers`), each with its pointer; malformed entries are the schema's to report. */
export function manifestWaivers(manifest: unknown): Waiver[] {
  const spec = isRecord(manifest) ? manifest.spec : undefined;
  const list = isRecord(spec) ? spec.waivers : undefined;
  if (!Array.isArray(list)) return [];
  const out: Waiver[] = [];
  list.forEach((w, i) => {
    if (!isRecord(w) || typeof w.rule !== 'string' || typeof w.reason !== 'string' || typeof w.expires !== 'string') return;
    const waiver: Waiver = { rule: w.rule, reason: w.reason, expires: w.expires, source: 'manifest', pointer: `/spec/waivers/${i}` };
    if (typeof w.approvedBy === 'string') waiver.approvedBy = w.approvedBy;
    out.push(waiver);
  });
  return out;
}

export type WaiverState = { kind: 'valid'; waiver: Waiver } | { kind: 'expired'; waiver: Waiver } | { kind: 'refused'; waiver: Waiver; why: string; pointer?: string };

/** What each waiver amounts to today under this set. */
export function judgeWaivers(waivers: readonly Waiver[], set: PolicySet, today: Date): WaiverState[] {
  const rules = new Map<string, PolicyRule>(set.rules.map((r) => [r.id, r]));
  return waivers.map((w): WaiverState => {
    const rule = rules.get(w.rule);
    const days = daysUntil(w.expires, today);
    if (days === undefined) return { kind: 'refused', waiver: w, why: `its expiry "${w.expires}" is not a date (YYYY-MM-DD)`, pointer: w.pointer && `${w.pointer}/expires` };
    if (rule && !rule.waivable) return { kind: 'refused', waiver: w, why: `rule "${w.rule}" cannot be waived on this platform`, pointer: w.pointer && `${w.pointer}/rule` };
    if (days < 0) return { kind: 'expired', waiver: w };
    if (set.maxWaiverDays !== undefined && days > set.maxWaiverDays) {
      return { kind: 'refused', waiver: w, why: `waivers last at most ${set.maxWaiverDays} days on this platform (this one runs ${days} days, to ${w.expires})`, pointer: w.pointer && `${w.pointer}/expires` };
    }
    return { kind: 'valid', waiver: w };
  });
}

function approved(w: Waiver): string {
  return w.approvedBy ? ` (approved by ${w.approvedBy})` : '';
}

/**
 * Applies the waivers to a manifest's findings: waived ones become information, expired ones say so, and the manifest's
 * own refused or expired waivers get findings at the waiver.
 */
export function applyWaivers(findings: PolicyFinding[], states: readonly WaiverState[]): PolicyFinding[] {
  const byRule = new Map<string, WaiverState>();
  // A valid waiver wins over an expired or refused one of the same rule.
  for (const s of states) if (!byRule.has(s.waiver.rule) || s.kind === 'valid') byRule.set(s.waiver.rule, s);
  const out = findings.map((f) => {
    const s = byRule.get(f.ruleId);
    if (!s) return f;
    if (s.kind === 'valid') return { ...f, severity: 'info' as const, message: `Waived until ${s.waiver.expires}: ${s.waiver.reason}${approved(s.waiver)}. ${f.message}` };
    if (s.kind === 'expired') return { ...f, message: `${f.message} (The waiver of this rule expired on ${s.waiver.expires}.)` };
    return { ...f, message: `${f.message} (The waiver of this rule is refused: ${s.why}.)` };
  });
  for (const s of states) {
    if (!s.waiver.pointer) continue;
    if (s.kind === 'expired') {
      out.push({ ruleId: 'policy/waiver-expired', severity: 'warning', path: `${s.waiver.pointer}/expires`, message: `This waiver of "${s.waiver.rule}" expired on ${s.waiver.expires}: the rule counts again. Meet the rule, or renew the waiver with a new date.` });
    } else if (s.kind === 'refused') {
      out.push({ ruleId: 'policy/waiver-refused', severity: 'warning', path: s.pointer ?? s.waiver.pointer, message: `This waiver is refused: ${s.why}. The rule counts.` });
    }
  }
  return out;
}
