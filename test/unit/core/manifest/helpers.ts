import * as assert from 'node:assert/strict';
import type { Finding } from '../../../../src/core/manifest/index';
import { applyEdits, lineColumn, lint } from '../../../../src/core/manifest/index';
import type { LintOptions, ManifestKind } from '../../../../src/core/manifest/index';

/** A finding as line/column ranges (0-based, end exclusive), for readable assertions. */
export interface Diag {
  message: string;
  ruleId: string;
  severity: string;
  range: [number, number, number, number];
}

export function toDiag(text: string, f: Finding): Diag {
  const s = lineColumn(text, f.offset);
  const e = lineColumn(text, f.offset + f.length);
  return { message: f.message, ruleId: f.ruleId, severity: f.severity, range: [s.line, s.column, e.line, e.column] };
}

/**
 * Asserts that exactly one finding has `message` and that it spans (startLine, startCol)–(endLine, endCol), 0-based,
 * like yaml-language-server's test/utils/verifyError.ts. Returns the finding.
 */
export function expectFinding(text: string, findings: readonly Finding[], message: string, sl: number, sc: number, el: number, ec: number): Finding {
  const matching = findings.filter((f) => f.message === message);
  assert.equal(matching.length, 1, `expected one finding "${message}", got:\n${findings.map((f) => JSON.stringify(toDiag(text, f))).join('\n')}`);
  const f = matching[0];
  assert.deepEqual(toDiag(text, f).range, [sl, sc, el, ec], `range of "${message}"`);
  assert.ok(f.offset >= 0 && f.offset + f.length <= text.length, 'inside the text');
  return f;
}

export function messages(findings: readonly Finding[]): string[] {
  return findings.map((f) => f.message);
}

/** Applies a finding's fix (by title, or its first) and lints the result again. */
export function applyFix(text: string, f: Finding, fileName = 'paved.yaml', options?: LintOptions, title?: string): { text: string; findings: Finding[] } {
  const fix = title ? f.fixes?.find((x) => x.title === title) : f.fixes?.[0];
  assert.ok(fix, `finding "${f.message}" has a fix${title ? ` "${title}"` : ''}`);
  const out = applyEdits(text, fix.edits);
  return { text: out, findings: lint(out, fileName, options).findings };
}

/** A valid paved.dev/v1 manifest (experimental, so production policies don't apply) to derive cases from. */
export const MINIMAL = `apiVersion: paved.dev/v1
kind: Service
metadata:
  name: payments-api
  owner: team-payments
  lifecycle: experimental
spec:
  runtime: { name: node, version: "20" }
  run:
    command: node dist/server.js
    port: 8080
`;

/** A production manifest that meets every default policy. */
export const PRODUCTION = `apiVersion: paved.dev/v1
kind: Service
metadata:
  name: payments-api
  owner: team-payments
  lifecycle: production
  links:
    - { title: Runbook, url: "https://wiki.example.com/runbook", type: runbook }
spec:
  runtime: { name: node, version: "20" }
  image: registry.example.com/payments-api:1.4.2
  run: { command: node dist/server.js, port: 8080 }
  health: { path: /healthz }
  resources: { cpu: 500m, memory: 512Mi }
  replicas: { min: 2, max: 6 }
  env:
    LOG_LEVEL: info
  dependsOn: [service:ledger]
  slos:
    - { name: availability, objective: 99.9, window: 30d }
  oncall: { schedule: payments-primary }
  environments:
    production: { replicas: { min: 3, max: 10 }, approval: required }
`;

/** A mandatory platform rule (rule list items, to append to a policy set's `rules:`): every service has a description. */
export const DESCRIPTION_RULE_MESSAGE = 'Every service needs a description (metadata.description).';
export const DESCRIPTION_RULE = `
  - id: service-description
    severity: warning
    mandatory: true
    description: Every service says what it does.
    condition: { properties: { metadata: { required: [description] } } }
    path: /metadata/description
    message: ${DESCRIPTION_RULE_MESSAGE}
`;

/** Which file names are manifests of which kind: the specification every face is held to. */
export const MANIFEST_FILE_NAMES: Readonly<Record<string, ManifestKind>> = {
  'paved.yaml': 'paved',
  'paved.yml': 'paved',
  'PAVED.YAML': 'paved',
  'Paved.Yml': 'paved',
  'x-paved.yaml': 'paved',
  'X-Paved.YAML': 'paved',
  'api.paved.yaml': 'paved',
  'api.paved.yml': 'paved',
  'my-api.v2.paved.yaml': 'paved',
  '.paved.yaml': 'paved',
  'catalog-info.yaml': 'backstage',
  'catalog-info.yml': 'backstage',
  'Catalog-Info.YAML': 'backstage',
  'team.catalog-info.yml': 'backstage',
  'team-catalog-info.yaml': 'backstage',
  'score.yaml': 'score',
  'score.yml': 'score',
  'SCORE.YML': 'score',
  'web.score.yaml': 'score',
  'web-score.yml': 'score',
  'values.yaml': 'unknown',
  'paved.yaml.bak': 'unknown',
  'paved.json': 'unknown',
  'mypaved.yaml': 'unknown',
  'x_paved.yaml': 'unknown',
  'paved-x.yaml': 'unknown',
  'paved.yamll': 'unknown',
  'paved.ya': 'unknown',
  'paved': 'unknown',
  'catalog_info.yaml': 'unknown',
  'info.yaml': 'unknown',
  'scores.yaml': 'unknown',
  'template.yaml': 'unknown',
};

/** A manifest of each kind (content that is a manifest whatever the name, to show that discovery goes by name). */
export function manifestText(kind: ManifestKind, i: number): string {
  if (kind === 'backstage') return `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: component-${i}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n`;
  if (kind === 'score') return `apiVersion: score.dev/v1b1\nmetadata:\n  name: workload-${i}\ncontainers:\n  main:\n    image: .\n`;
  return MINIMAL.replace('name: payments-api', `name: service-${i}`);
}
