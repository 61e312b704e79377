/**
 * Policy-as-code: a policy set is YAML (schemas/policy-set.schema.json); each rule's condition is a JSON Schema the
 * manifest must match, evaluated by ajv on the plain (v1) manifest object. The platform's set is merged with a
 * repository's `.paved/policies.yaml` (set.ts, one merge for every face); `policyFindings` is what every face reports
 * (findings.ts), with waivers applied (waivers.ts).
 */
export type { CatalogNames, LintContext, PolicyFinding, PolicyFix, PolicyRule, PolicySet, PolicyWhen, Scorecard, ScorecardResult, Waiver } from './types';
export { defaultPolicySet, defaultPolicySetText, loadPolicySet, mergePolicySets, policyExportName, policySetFromObject } from './set';
export { evaluatePolicies, ruleApplies, type PolicyViolation } from './evaluate';
export { policyFindings, scorecard } from './findings';
export { daysUntil, judgeWaivers, manifestWaivers } from './waivers';
export { secretEnvKeys } from './context';
export { fromWire, policySetVersion, toWire } from './wire';
