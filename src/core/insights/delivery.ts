/**
 * DORA's five delivery metrics per week, across services and per team, in one pass over the columnar history
 * (definitions in the README, "Platform insights"):
 * - deployment frequency: successful deploy/promote deployments to the environment;
 * - change lead time: release snapshot (not commit: the platform never sees commits) → successful deployment;
 * - change fail rate: failed or rolled-back deploy/promote attempts ÷ finished ones (cancelled ones left out);
 * - failed deployment recovery time: a service's first failed deployment → its next successful deployment of any kind
 *   (a rollback counts), attributed to the week of the failure, even when the recovery falls in a later week;
 * - deployment rework rate: unplanned deployments — rollbacks, and deployments (restarts too) made while the service's last change
 *   had failed (fixes forward) — ÷ every finished deployment.
 * History before the window counts for state (a failure before `since` makes a deployment inside it rework, and its
 * recovery is not attributed to the window); nothing after `until` is read.
 */
import { DeploymentTable, K_PROMOTE, K_ROLLBACK, K_DEPLOY, S_CANCELLED, S_FAILED, S_ROLLED_BACK, S_SUCCEEDED } from './history';
import { DAY_MS, durationStat, share, weeksBetween } from './time';
import type { DeliveryInsights, DeliveryService, DeliveryStats } from './types';

export interface DeliveryQuery {
  since: number;
  until: number;
  environment?: string;
  /** Service name → team (its owner); services it does not know are in team "unknown". */
  teamOf: (service: string) => string;
  /** Restrict to one team's services. */
  team?: string;
}

class Acc {
  deployments = 0;
  changes = 0;
  failedChanges = 0;
  all = 0;
  rework = 0;
  unrecovered = 0;
  lead: number[] = [];
  recovery: number[] = [];

  stats(days: number): DeliveryStats {
    const s: DeliveryStats = {
      deployments: this.deployments,
      deploymentsPerDay: days > 0 ? this.deployments / days : 0,
      changeLeadTime: durationStat(this.lead),
      changes: this.changes,
      failedChanges: this.failedChanges,
      recoveryTime: durationStat(this.recovery),
      unrecovered: this.unrecovered,
      allDeployments: this.all,
      reworkDeployments: this.rework,
    };
    const cfr = share(this.failedChanges, this.changes);
    if (cfr !== undefined) s.changeFailRate = cfr;
    const rr = share(this.rework, this.all);
    if (rr !== undefined) s.reworkRate = rr;
    return s;
  }
}

interface Pass {
  weeks: { weekStart: number; from: number; to: number }[];
  weekAcc: Acc[];
  total: Acc;
  teamAcc: Acc[];
  teamNames: string[];
  teamServices: Uint32Array;
  /** Per service: deployments, failed changes, rework, open failure time. */
  perService: { deployments: Uint32Array; failed: Uint32Array; rework: Uint32Array; open: Float64Array; seen: Uint8Array };
  serviceTeam: Int32Array;
}

function run(table: DeploymentTable, q: DeliveryQuery): Pass {
  const env = table.environments.find(q.environment ?? 'production');
  const nServices = table.services.names.length;
  // Team of every service, interned; -1 = filtered out.
  const teamIds = new Map<string, number>();
  const teamNames: string[] = [];
  const serviceTeam = new Int32Array(nServices);
  for (let s = 0; s < nServices; s++) {
    const team = q.teamOf(table.services.names[s]);
    if (q.team !== undefined && team !== q.team) {
      serviceTeam[s] = -1;
      continue;
    }
    let id = teamIds.get(team);
    if (id === undefined) teamIds.set(team, (id = teamNames.push(team) - 1));
    serviceTeam[s] = id;
  }
  const weeks = weeksBetween(q.since, q.until);
  const pass: Pass = {
    weeks,
    weekAcc: weeks.map(() => new Acc()),
    total: new Acc(),
    teamAcc: teamNames.map(() => new Acc()),
    teamNames,
    teamServices: new Uint32Array(teamNames.length),
    perService: { deployments: new Uint32Array(nServices), failed: new Uint32Array(nServices), rework: new Uint32Array(nServices), open: new Float64Array(nServices).fill(NaN), seen: new Uint8Array(nServices) },
    serviceTeam,
  };
  if (env === undefined) return pass;
  const first = weeks.length ? weeks[0].weekStart : 0;
  const weekOf = (t: number): number => Math.floor((t - first) / (7 * DAY_MS));
  const { service, environment, kind, state, finishedAt, releaseCreatedAt } = table;
  const ps = pass.perService;
  const order = table.order();
  for (let j = 0; j < order.length; j++) {
    const i = order[j];
    const t = finishedAt[i];
    if (t > q.until) break;
    if (environment[i] !== env || state[i] === S_CANCELLED) continue;
    const s = service[i];
    const team = serviceTeam[s];
    if (team < 0) continue;
    const k = kind[i];
    const st = state[i];
    const isChange = k === K_DEPLOY || k === K_PROMOTE;
    const failed = st === S_FAILED || st === S_ROLLED_BACK;
    const open = ps.open[s];
    const inWindow = t >= q.since;
    const accs = inWindow ? [pass.weekAcc[weekOf(t)], pass.total, pass.teamAcc[team]] : [];
    if (inWindow) ps.seen[s] = 1;
    const rework = k === K_ROLLBACK || !Number.isNaN(open);
    for (const a of accs) {
      a.all++;
      if (rework) a.rework++;
    }
    if (inWindow && rework) ps.rework[s]++;
    if (isChange && failed) {
      for (const a of accs) {
        a.changes++;
        a.failedChanges++;
      }
      if (inWindow) ps.failed[s]++;
      if (Number.isNaN(open)) ps.open[s] = t;
    } else if (st === S_SUCCEEDED) {
      if (!Number.isNaN(open)) {
        ps.open[s] = NaN;
        if (open >= q.since) for (const a of [pass.weekAcc[weekOf(open)], pass.total, pass.teamAcc[team]]) a.recovery.push(t - open);
      }
      if (isChange) {
        const lead = t - releaseCreatedAt[i];
        for (const a of accs) {
          a.changes++;
          a.deployments++;
          if (!Number.isNaN(lead)) a.lead.push(Math.max(0, lead));
        }
        if (inWindow) ps.deployments[s]++;
      }
    }
  }
  for (let s = 0; s < nServices; s++) {
    const open = ps.open[s];
    const team = serviceTeam[s];
    if (team >= 0 && ps.seen[s]) pass.teamServices[team]++;
    if (team < 0 || Number.isNaN(open) || open < q.since) continue;
    for (const a of [pass.weekAcc[weekOf(open)], pass.total, pass.teamAcc[team]]) a.unrecovered++;
  }
  return pass;
}

export function deliveryInsights(table: DeploymentTable, q: DeliveryQuery): DeliveryInsights {
  const p = run(table, q);
  const days = (q.until - q.since) / DAY_MS;
  const out: DeliveryInsights = {
    since: new Date(q.since).toISOString(),
    until: new Date(q.until).toISOString(),
    environment: q.environment ?? 'production',
    total: p.total.stats(days),
    weeks: p.weeks.map((w, i) => ({ weekStart: new Date(w.weekStart).toISOString(), days: (w.to - w.from) / DAY_MS, ...p.weekAcc[i].stats((w.to - w.from) / DAY_MS) })),
    teams: p.teamNames
      .map((team, i) => ({ team, services: p.teamServices[i], ...p.teamAcc[i].stats(days) }))
      .filter((t) => t.allDeployments > 0 || t.unrecovered > 0)
      .sort((a, b) => (a.team < b.team ? -1 : 1)),
  };
  if (q.team !== undefined) out.team = q.team;
  return out;
}

/** The services behind the delivery numbers: each with deployments in the window, most deployments first. */
export function deliveryServices(table: DeploymentTable, q: DeliveryQuery): DeliveryService[] {
  const p = run(table, q);
  const out: DeliveryService[] = [];
  const ps = p.perService;
  for (let s = 0; s < ps.seen.length; s++) {
    if (!ps.seen[s] && !(ps.open[s] >= q.since)) continue;
    out.push({ service: table.services.names[s], team: p.teamNames[p.serviceTeam[s]], deployments: ps.deployments[s], failedChanges: ps.failed[s], reworkDeployments: ps.rework[s], unrecovered: ps.open[s] >= q.since });
  }
  return out.sort((a, b) => b.deployments - a.deployments || (a.service < b.service ? -1 : 1));
}
