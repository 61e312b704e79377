/**
 * The platform decides: a deployment or promotion is checked against the platform's policy set (`<state-dir>/
 * policies.yaml`, else Paved's default) merged with the service's repository additions (`.paved/policies.yaml` at
 * the root of the repository its source is in) — the same merge and the same findings as the editor and `paved lint`
 * (src/core/policy) — with the catalog's names for the reference rules and the platform's clock for waivers. An
 * error refuses the request (`PolicyViolation`, a 422 `policy-violation` problem listing the findings).
 *
 * Releases exclude `.paved/` from their snapshot, so the repository's additions are read when a release is built and
 * stored with it: promoting or redeploying that release later checks it with the rules its repository had then (and
 * the platform's current set).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CatalogNamesList, PolicyFinding as WireFinding, Scorecard } from '../../core/api/types';
import type { CatalogEntry } from '../../core/catalog';
import { describeError, PavedError } from '../../core/errors';
import { loadPolicySet, mergePolicySets, policyFindings, policySetVersion, scorecard, type CatalogNames, type LintContext, type PolicySet } from '../../core/policy';
import { PolicyViolation } from '../errors';
import { platformPolicies } from './policies';

export const REPO_POLICIES = path.join('.paved', 'policies.yaml');

/** What the gate needs of the catalog. */
export interface PolicyCatalog {
  names(): CatalogNamesList;
  repositoryRoot(e: CatalogEntry): string | undefined;
}

export interface PolicyGateOptions {
  policiesFile: string;
  catalog: PolicyCatalog;
  now: () => Date;
}

export class PolicyGate {
  private lastNames: { list: CatalogNamesList; names: CatalogNames; deprecated: ReadonlySet<string> } | undefined;

  constructor(private readonly opts: PolicyGateOptions) {}

  /** The repository's additions as they are on disk now (undefined: none). */
  repositoryPolicies(e: CatalogEntry): string | undefined {
    const root = this.opts.catalog.repositoryRoot(e);
    if (!root) return undefined;
    try {
      return fs.readFileSync(path.join(root, REPO_POLICIES), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /**
   * The platform's set merged with a repository's additions. An invalid platform file is a server error (never
   * silently the default); an invalid repository file is `invalid-input` (the check refuses: it cannot be honoured).
   */
  effective(repoPolicies: string | undefined): PolicySet {
    const platform = platformPolicies(this.opts.policiesFile);
    if (repoPolicies === undefined) return platform;
    return mergePolicySets(platform, loadPolicySet(repoPolicies, '.paved/policies.yaml'));
  }

  private context(environment?: string): LintContext {
    const list = this.opts.catalog.names();
    if (this.lastNames?.list !== list) {
      this.lastNames = { list, names: { teams: list.teams, systems: list.systems, services: list.services, apis: list.apis }, deprecated: new Set(list.deprecatedServices) };
    }
    return { catalog: this.lastNames.names, deprecatedServices: this.lastNames.deprecated, now: this.opts.now, ...(environment ? { environment } : {}) };
  }

  /** The findings of the effective set on a (v1) manifest, as the platform reports them. */
  findings(manifest: Record<string, unknown>, environment: string, repoPolicies: string | undefined): { findings: WireFinding[]; set: PolicySet } {
    const set = this.effective(repoPolicies);
    const findings = policyFindings(manifest, set, this.context(environment)).map((f) => {
      const w: WireFinding = { ruleId: f.ruleId, severity: f.severity, message: f.message, path: f.path };
      if (f.docsUrl) w.docsUrl = f.docsUrl;
      if (f.on) w.on = f.on;
      return w;
    });
    return { findings, set };
  }

  /** Refuses (PolicyViolation) when the manifest breaks a rule at error severity; the other findings travel along. */
  check(service: string, manifest: Record<string, unknown>, environment: string, repoPolicies: string | undefined): void {
    // A Backstage entity (catalog-info.yaml) without a paved.yaml: Paved's policies are for paved.yaml manifests.
    if (typeof manifest.apiVersion !== 'string' || !manifest.apiVersion.startsWith('paved.dev/')) return;
    let result: ReturnType<PolicyGate['findings']>;
    try {
      result = this.findings(manifest, environment, repoPolicies);
    } catch (err) {
      if (!PavedError.is(err, 'invalid-input')) throw err;
      throw new PolicyViolation(`${service} cannot be deployed to ${environment}: its repository's ${REPO_POLICIES} is invalid (${describeError(err)})`, [], { name: 'invalid', version: '' });
    }
    const errors = result.findings.filter((f) => f.severity === 'error');
    if (errors.length === 0) return;
    const version = policySetVersion(result.set);
    const list = errors.map((f) => `${f.ruleId} at ${f.path || '/'}`).join(', ');
    throw new PolicyViolation(`${service} cannot be deployed to ${environment}: the manifest breaks ${errors.length} rule${errors.length === 1 ? '' : 's'} of the policy set "${result.set.name}" (${list})`, result.findings, { name: result.set.name, version });
  }

  /** A service's scorecard: the effective set with its repository's additions, the catalog and today's waivers. */
  scorecard(e: CatalogEntry, manifest: Record<string, unknown>): Scorecard {
    let set: PolicySet;
    try {
      set = this.effective(this.repositoryPolicies(e));
    } catch {
      set = platformPolicies(undefined);
    }
    return scorecard(manifest, set, this.context());
  }
}
