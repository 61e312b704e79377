/**
 * Compliance across the catalog: per policy rule the share of services passing it, the mandatory failures, the
 * active and soon-expiring waivers, and the weekly trend from the snapshots the platform keeps (one a day, per team).
 * The scorecards and the judging of waivers are the policy engine's; this only counts.
 */
import { DAY_MS, share, weeksBetween } from './time';
import type { ComplianceInsights, ComplianceWeek, RuleCompliance, WaiverInsight } from './types';

export interface WaiverInput {
  rule: string;
  reason: string;
  /** `YYYY-MM-DD`, the last day it holds (UTC). */
  expires: string;
  approvedBy?: string;
  /** Whether the policy engine accepts it today (not expired, not refused). */
  valid: boolean;
}

export interface ServiceCompliance {
  service: string;
  team: string;
  /** The scorecard's results: one per rule that applies to the service. */
  results: readonly { ruleId: string; passed: boolean }[];
  waivers: readonly WaiverInput[];
}

/** Counts per team at one moment; the trend is made of these. */
export interface ComplianceSnapshot {
  at: string;
  teams: Record<string, { services: number; compliant: number; mandatoryFailures: number }>;
}

export interface ComplianceInput {
  now: number;
  since: number;
  services: readonly ServiceCompliance[];
  rules: readonly { id: string; mandatory: boolean }[];
  snapshots: readonly ComplianceSnapshot[];
  team?: string;
  expiringWithinDays?: number;
}

const daysLeft = (expires: string, now: number): number => Math.round((Date.parse(`${expires}T00:00:00Z`) - Math.floor(now / DAY_MS) * DAY_MS) / DAY_MS);

/** Per service: the mandatory rules it fails without a valid waiver. */
function unwaivedMandatoryFailures(s: ServiceCompliance, mandatory: ReadonlySet<string>): string[] {
  const waived = new Set(s.waivers.filter((w) => w.valid).map((w) => w.rule));
  return s.results.filter((r) => !r.passed && mandatory.has(r.ruleId) && !waived.has(r.ruleId)).map((r) => r.ruleId);
}

/** Today's counts per team, for the trend. */
export function complianceSnapshot(services: readonly ServiceCompliance[], rules: readonly { id: string; mandatory: boolean }[], now: number): ComplianceSnapshot {
  const mandatory = new Set(rules.filter((r) => r.mandatory).map((r) => r.id));
  const teams: ComplianceSnapshot['teams'] = {};
  for (const s of services) {
    const t = (teams[s.team] ??= { services: 0, compliant: 0, mandatoryFailures: 0 });
    const failures = unwaivedMandatoryFailures(s, mandatory).length;
    t.services++;
    if (failures === 0) t.compliant++;
    t.mandatoryFailures += failures;
  }
  return { at: new Date(now).toISOString(), teams };
}

export function complianceInsights(input: ComplianceInput): ComplianceInsights {
  const within = input.expiringWithinDays ?? 14;
  const services = input.team === undefined ? input.services : input.services.filter((s) => s.team === input.team);
  const mandatory = new Set(input.rules.filter((r) => r.mandatory).map((r) => r.id));
  const rules = new Map<string, RuleCompliance>(input.rules.map((r) => [r.id, { ruleId: r.id, mandatory: r.mandatory, services: 0, passing: 0, waived: 0, failingServices: [] }]));
  const failures: ComplianceInsights['mandatoryFailures'] = [];
  const active: WaiverInsight[] = [];
  let compliant = 0;
  for (const s of services) {
    const waived = new Set(s.waivers.filter((w) => w.valid).map((w) => w.rule));
    for (const r of s.results) {
      const rc = rules.get(r.ruleId);
      if (!rc) continue;
      rc.services++;
      if (r.passed) rc.passing++;
      else if (waived.has(r.ruleId)) rc.waived++;
      else rc.failingServices.push(s.service);
    }
    const failing = unwaivedMandatoryFailures(s, mandatory);
    if (failing.length === 0) compliant++;
    for (const rule of failing) failures.push({ service: s.service, rule, team: s.team });
    for (const w of s.waivers) {
      if (!w.valid) continue;
      const wi: WaiverInsight = { service: s.service, rule: w.rule, reason: w.reason, expires: w.expires, daysLeft: daysLeft(w.expires, input.now) };
      if (w.approvedBy) wi.approvedBy = w.approvedBy;
      active.push(wi);
    }
  }
  for (const rc of rules.values()) {
    rc.failingServices.sort();
    const s = share(rc.passing, rc.services);
    if (s !== undefined) rc.share = s;
  }
  active.sort((a, b) => a.daysLeft - b.daysLeft || (a.service < b.service ? -1 : a.service > b.service ? 1 : a.rule < b.rule ? -1 : 1));
  failures.sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : a.rule < b.rule ? -1 : 1));
  const out: ComplianceInsights = {
    since: new Date(input.since).toISOString(),
    until: new Date(input.now).toISOString(),
    services: services.length,
    compliant,
    rules: [...rules.values()].filter((r) => r.services > 0),
    mandatoryFailures: failures,
    waivers: { active, expiring: active.filter((w) => w.daysLeft <= within), expiringWithinDays: within },
    trend: trend(input),
  };
  const s = share(compliant, services.length);
  if (s !== undefined) out.share = s;
  if (input.team !== undefined) out.team = input.team;
  return out;
}

/** Per week of the window, the last snapshot taken in it (weeks without one have no numbers). */
function trend(input: ComplianceInput): ComplianceWeek[] {
  const weeks = weeksBetween(input.since, input.now);
  const last: (ComplianceSnapshot | undefined)[] = weeks.map(() => undefined);
  for (const snap of input.snapshots) {
    const t = Date.parse(snap.at);
    const i = weeks.findIndex((w) => t >= w.from && t <= w.to);
    if (i >= 0 && (!last[i] || Date.parse((last[i]).at) <= t)) last[i] = snap;
  }
  return weeks.map((w, i) => {
    const week: ComplianceWeek = { weekStart: new Date(w.weekStart).toISOString() };
    const snap = last[i];
    if (!snap) return week;
    let services = 0;
    let ok = 0;
    let failures = 0;
    for (const [team, c] of Object.entries(snap.teams)) {
      if (input.team !== undefined && team !== input.team) continue;
      services += c.services;
      ok += c.compliant;
      failures += c.mandatoryFailures;
    }
    const s = share(ok, services);
    if (s !== undefined) week.share = s;
    week.mandatoryFailures = failures;
    return week;
  });
}
