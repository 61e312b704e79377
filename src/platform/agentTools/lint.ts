/**
 * Lint a manifest as a tool: the editor's engine (src/core/manifest) with the policy set `policies.ts` resolves, on a
 * file inside the workspace or on text the agent is about to write. Findings carry 1-based line/column, the rule id
 * and its docs link, so the agent can fix the exact place.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { clean } from '../../core/cleanText';
import { PavedError } from '../../core/errors';
import { kindFromFileName, lint, locateFindings } from '../../core/manifest/index';
import { lintPolicies } from './policies';
import type { AgentTool } from './types';
import { displayPath, workspacePath } from './workspace';

/** Larger files get one finding (as in `paved lint`'s bound, not the editor's as-you-type one). */
const MAX_SIZE = 16_000_000;

interface LintInput {
  path?: string;
  text?: string;
  fileName?: string;
  environment?: string;
}

export const lintManifest: AgentTool<LintInput> = {
  name: 'paved_lint_manifest',
  title: 'Lint a manifest',
  referenceName: 'pavedLint',
  description:
    "Checks a paved.yaml, catalog-info.yaml or score.yaml against the platform's schemas and policies (the same engine and merged policy set as the editor and `paved lint`): YAML syntax, schema, policy rules, plaintext secrets. Give a path inside the workspace, or the text you are about to write with its fileName (paved.yaml by default). Optionally an environment (rules that apply only there, e.g. production). Returns every finding with line, column, severity, rule id, message and docs link; errors block a deployment.",
  kind: 'read',
  idempotent: true,
  inputSchema: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'Manifest file, relative to the workspace folder (or absolute inside it).' },
      text: { type: 'string', description: 'Manifest text to check instead of a file.' },
      fileName: { type: 'string', enum: ['paved.yaml', 'catalog-info.yaml', 'score.yaml'], description: 'Which kind the text is (with text; default paved.yaml).' },
      environment: { type: 'string', description: 'Lint for this environment (rules with when.environment).' },
    },
    additionalProperties: false,
  },
  outputSchema: {
    type: 'object',
    properties: { file: { type: 'string' }, kind: { type: 'string' }, policySet: { type: 'string' }, findings: { type: 'array', items: { type: 'object' } }, errors: { type: 'integer' }, warnings: { type: 'integer' } },
    required: ['file', 'findings', 'errors', 'warnings'],
  },
  async run(ctx, input) {
    if ((input.path === undefined) === (input.text === undefined)) throw new PavedError('invalid-input', 'Give either path (a manifest file in the workspace) or text (with fileName), not both and not neither.');
    let file: string;
    let text: string;
    if (input.path !== undefined) {
      file = workspacePath(ctx.workspaceFolders, input.path, 'manifest path');
      try {
        text = await fs.promises.readFile(file, 'utf8');
      } catch (err) {
        throw new PavedError('io', `cannot read ${displayPath(ctx.workspaceFolders, file)}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, { cause: err });
      }
    } else {
      text = input.text!;
      file = path.join(ctx.workspaceFolders[0] ?? process.cwd(), input.fileName ?? 'paved.yaml');
    }
    if (kindFromFileName(file) === 'unknown') throw new PavedError('invalid-input', `${path.basename(file)} is not a manifest Paved lints (paved.yaml, catalog-info.yaml, score.yaml).`);
    const policies = await lintPolicies(ctx, file);
    const result = lint(text, file, { policies: policies.set, context: { ...policies.context, ...(input.environment ? { environment: input.environment } : {}) }, maxSize: MAX_SIZE, maxFullParseSize: MAX_SIZE });
    const findings = locateFindings(text, result.findings).map((l) => ({
      line: l.line,
      column: l.column,
      endLine: l.endLine,
      endColumn: l.endColumn,
      severity: l.f.severity,
      ruleId: l.f.ruleId,
      message: clean(l.f.message),
      ...(l.f.docsUrl ? { docsUrl: l.f.docsUrl } : {}),
      ...(l.f.fixes?.length ? { fixes: l.f.fixes.map((x) => clean(x.title)) } : {}),
    }));
    const errors = findings.filter((f) => f.severity === 'error').length;
    const warnings = findings.filter((f) => f.severity === 'warning').length;
    const shown = input.path !== undefined ? displayPath(ctx.workspaceFolders, file) : `(text) ${path.basename(file)}`;
    return {
      summary: `${shown}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} (${policies.description}).`,
      data: { file: shown, kind: result.kind, policySet: policies.description, findings, errors, warnings },
    };
  },
};
