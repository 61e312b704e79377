/**
 * The wire shapes of `GET /v1/insights/...` (schemas/platform-api.yaml): adoption, onboarding, delivery (DORA),
 * compliance and the feedback inbox. Times are ISO strings, durations seconds, shares 0..1.
 */
import type { Feedback, GoldenPathAdoption, Page } from '../api/types';

/** The window a section covers: `since` to `until` (= now unless asked otherwise), both ISO. */
export interface InsightsWindow {
  since: string;
  until: string;
  /** The team the numbers are restricted to (absent: every service). */
  team?: string;
}

/** A distribution of durations in seconds; median and p90 are absent without values. */
export interface DurationStat {
  count: number;
  medianSeconds?: number;
  p90Seconds?: number;
}

export interface AdoptionMonth {
  /** `YYYY-MM` (UTC). */
  month: string;
  /** Services first seen this month (the earlier of their scaffold task and their first deployment). */
  newServices: number;
  /** Of those, created from a golden path (a scaffold task, or a golden path recorded in the manifest). */
  fromGoldenPath: number;
  /** fromGoldenPath / newServices; absent when there were no new services. */
  goldenPathShare?: number;
  /** Scaffold tasks started this month, and how far they got. */
  tasks: { started: number; succeeded: number; failed: number; inCatalog: number; deployed: number };
  /** Names of the new services (at most 50). */
  services: string[];
}

export interface AdoptionInsights extends InsightsWindow {
  goldenPaths: GoldenPathAdoption;
  months: AdoptionMonth[];
}

export interface OnboardingGroup {
  /** `YYYY-MM` for a month, the template id for a golden path. */
  key: string;
  /** Environment → time from scaffold task to first healthy deployment there. */
  environments: Record<string, DurationStat & { pending: number }>;
}

export interface OnboardingService {
  service: string;
  template: string;
  templateVersion: string;
  scaffoldedAt: string;
  /** Environment → seconds to the first healthy deployment there (absent: not yet). */
  seconds: Record<string, number>;
}

export interface OnboardingInsights extends InsightsWindow {
  environments: string[];
  total: OnboardingGroup;
  months: OnboardingGroup[];
  goldenPaths: OnboardingGroup[];
  services: Page<OnboardingService>;
}

export interface DeliveryStats {
  /** Successful deployments (deploy or promote) to the environment. */
  deployments: number;
  deploymentsPerDay: number;
  /** From release snapshot (not commit) to successful deployment in the environment. */
  changeLeadTime: DurationStat;
  /** Finished deploy/promote attempts (cancelled ones left out) and the failed or rolled-back ones among them. */
  changes: number;
  failedChanges: number;
  changeFailRate?: number;
  /** From a service's first failed deployment to its next successful one, attributed to the failure's week. */
  recoveryTime: DurationStat;
  /** Failures not yet followed by a successful deployment at the end of the window. */
  unrecovered: number;
  /** Every finished deployment (any kind, cancelled left out), and the unplanned ones among them. */
  allDeployments: number;
  reworkDeployments: number;
  reworkRate?: number;
}

export interface DeliveryWeek extends DeliveryStats {
  /** Monday 00:00 UTC of the week (the bucket is clipped to the window). */
  weekStart: string;
  days: number;
}

export interface DeliveryInsights extends InsightsWindow {
  environment: string;
  total: DeliveryStats;
  weeks: DeliveryWeek[];
  teams: (DeliveryStats & { team: string; services: number })[];
}

export interface DeliveryService {
  service: string;
  team: string;
  deployments: number;
  failedChanges: number;
  reworkDeployments: number;
  unrecovered: boolean;
}

export interface RuleCompliance {
  ruleId: string;
  mandatory: boolean;
  /** Services the rule applies to (catalog-info-only services have no scorecard). */
  services: number;
  passing: number;
  /** Failing with a valid waiver. */
  waived: number;
  share?: number;
  failingServices: string[];
}

export interface WaiverInsight {
  service: string;
  rule: string;
  reason: string;
  expires: string;
  daysLeft: number;
  approvedBy?: string;
}

export interface ComplianceWeek {
  weekStart: string;
  /** Services passing every mandatory rule (waived failures pass) ÷ services, from the week's last snapshot. */
  share?: number;
  mandatoryFailures?: number;
}

export interface ComplianceInsights extends InsightsWindow {
  services: number;
  /** Services passing every mandatory rule (a valid waiver counts as passing). */
  compliant: number;
  share?: number;
  rules: RuleCompliance[];
  mandatoryFailures: { service: string; rule: string; team: string }[];
  waivers: { active: WaiverInsight[]; expiring: WaiverInsight[]; expiringWithinDays: number };
  trend: ComplianceWeek[];
}

export type FeedbackState = 'new' | 'acknowledged' | 'done';

export interface FeedbackItem extends Feedback {
  state: FeedbackState;
  stateChangedAt?: string;
  stateChangedBy?: string;
}

export interface FeedbackInsights extends InsightsWindow {
  total: number;
  byState: Record<FeedbackState, number>;
  byCategory: { category: string; count: number }[];
  byService: { service: string; count: number }[];
  items: Page<FeedbackItem>;
}

/** The sections of `GET /v1/insights/{section}`. */
export const INSIGHTS_SECTIONS = ['adoption', 'onboarding', 'delivery', 'compliance', 'feedback'] as const;
export type InsightsSection = (typeof INSIGHTS_SECTIONS)[number];

export interface InsightsBySection {
  adoption: AdoptionInsights;
  onboarding: OnboardingInsights;
  delivery: DeliveryInsights;
  compliance: ComplianceInsights;
  feedback: FeedbackInsights;
}

/** Query of the insights endpoints; each takes the parameters it knows (see schemas/platform-api.yaml). */
export interface InsightsQuery {
  since?: string;
  until?: string;
  team?: string;
  environment?: string;
  state?: FeedbackState;
  category?: string;
  service?: string;
  limit?: number;
  cursor?: string;
}
