/**
 * `paved lint [paths or globs...]`: the editor's engine in CI. All files in one process; text, JSON or SARIF 2.1.0.
 * Exit codes: 0 clean, 1 errors (or more warnings than --max-warnings), 2 usage or I/O error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { version } from '../../package.json';
import { describeError, PavedError } from '../core/errors';
import type { Finding, LintResult, Severity } from '../core/manifest/index';
import { kindFromFileName, lint, LineIndex, MANIFEST_KINDS, SKIPPED_FOLDERS } from '../core/manifest/index';
import type { PolicySet } from '../core/policy/index';
import { loadPolicySet, mergePolicySets, policySetVersion } from '../core/policy/index';
import { integerOption, parseCommandLine, UsageError } from './args';
import type { CliIO, Subcommand } from './cli';
import { lintPlatform, type LintConnection, type LintPlatform } from './lintPlatform';

const usage = `Usage: paved lint [paths or globs...] [options]

Lints paved.yaml, catalog-info.yaml and score.yaml files: YAML syntax, the manifest schemas, the platform's policies
and plaintext secrets. Directories are searched for those file names; globs (*, **, ?, {a,b}) match any file.
Without paths, lints the manifests under the current directory.

With a platform (--backend/--url, PAVED_URL, or a running local platform) it lints with the platform's policy set
and checks owners, systems, dependencies and APIs against its catalog, as the editor and the platform's deploy gate
do; when the platform cannot be asked, Paved's default set stands in and a note on stderr says why.

Options:
  --format text|json|sarif   output format (default text: file:line:col severity rule message); JSON and SARIF
                             name the policy set and its version
  --policies FILE            use this policy set instead of the platform's; a repository's .paved/policies.yaml
                             (in the current directory) is merged on top of either
  --environment NAME         lint for this environment (rules with when.environment)
  --deprecated NAMES         comma-separated deprecated services (rule no-deprecated-dependency), besides the
                             platform's
  --max-warnings N           exit 1 when there are more than N warnings (default: unlimited)
  --require-platform         fail (exit 2) instead of falling back to the default set when the platform cannot
                             be asked
  --backend KIND, --url URL, --state-dir DIR
                             the platform (as for the other commands; env PAVED_BACKEND, PAVED_URL,
                             PAVED_STATE_DIR, PAVED_TOKEN); default: the running local platform, if any

Exit codes: 0 clean, 1 errors or too many warnings, 2 usage or I/O error (or no platform with --require-platform).`;

/** The CLI lints big files too (editors stop at 1 MB as you type); above this a file gets one finding. */
const CLI_MAX_SIZE = 16_000_000;

type Format = 'text' | 'json' | 'sarif';

interface Options {
  inputs: string[];
  format: Format;
  policies?: string;
  environment?: string;
  deprecated: string[];
  maxWarnings?: number;
  requirePlatform: boolean;
  connection: LintConnection;
}

const OPTIONS = {
  format: { type: 'string' },
  policies: { type: 'string' },
  environment: { type: 'string' },
  deprecated: { type: 'string', multiple: true },
  'max-warnings': { type: 'string' },
  'require-platform': { type: 'boolean' },
  backend: { type: 'string' },
  url: { type: 'string' },
  'state-dir': { type: 'string' },
} as const;

function parseOptions(args: string[]): Options {
  const { values: v, positionals } = parseCommandLine(args, OPTIONS);
  const format = v.format ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'sarif') throw new UsageError(`--format must be text, json or sarif, not '${format}'`);
  return {
    inputs: positionals,
    format,
    policies: v.policies,
    environment: v.environment,
    deprecated: (v.deprecated ?? []).flatMap((d) => d.split(',').map((s) => s.trim()).filter(Boolean)),
    maxWarnings: v['max-warnings'] === undefined ? undefined : integerOption('max-warnings', v['max-warnings'], 0, undefined, 'a whole number'),
    requirePlatform: v['require-platform'] === true,
    connection: { backend: v.backend, url: v.url, 'state-dir': v['state-dir'] },
  };
}

// ---- file discovery ------------------------------------------------------------------------------------------------

function isGlob(p: string): boolean {
  return /[*?[{]/.test(p);
}

/** A glob as a regular expression over '/'-separated paths: `**` any depth, `*` and `?` within a segment, `{a,b}`, `[a-z]`. */
export function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${globSource(glob)}$`);
}

function globSource(glob: string): string {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        re += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const close = glob.indexOf('}', i);
      if (close < 0) re += '\\{';
      else {
        re += '(?:' + glob.slice(i + 1, close).split(',').map(globSource).join('|') + ')';
        i = close;
      }
    } else if (c === '[') {
      const close = glob.indexOf(']', i);
      if (close < 0) re += '\\[';
      else {
        re += '[' + glob.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = close;
      }
    } else re += c.replace(/[.+^$()|\\/]/g, '\\$&');
  }
  return re;
}

function walk(dir: string, onFile: (p: string) => void, skipDefault: boolean): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw new PavedError('io', `cannot read directory ${dir}: ${describeError(err)}`, { cause: err });
  }
  // `dir` is absolute and normalised: joining by hand gives path.join's result without normalising every path again.
  const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
  for (const e of entries) {
    const p = prefix + e.name;
    if (e.isDirectory()) {
      if (skipDefault && SKIPPED_FOLDERS.has(e.name)) continue;
      walk(p, onFile, skipDefault);
    } else if (e.isFile()) {
      onFile(p);
    }
  }
}

function expandGlob(pattern: string, cwd: string): string[] {
  const norm = pattern.replace(/\\/g, '/');
  const segs = norm.split('/');
  const baseSegs: string[] = [];
  for (const s of segs) {
    if (isGlob(s)) break;
    baseSegs.push(s);
  }
  const base = baseSegs.length === 0 ? '.' : baseSegs.join('/') || '/';
  const baseAbs = path.resolve(cwd, base);
  if (!fs.existsSync(baseAbs)) return [];
  const re = globToRegExp(norm.slice(baseSegs.join('/').length).replace(/^\//, ''));
  const out: string[] = [];
  walk(baseAbs, (p) => {
    const rel = path.relative(baseAbs, p).split(path.sep).join('/');
    if (re.test(rel)) out.push(p);
  }, !norm.includes('node_modules'));
  return out;
}

/** Resolves inputs to files (sorted, without duplicates). Throws PavedError('io') for a path that does not exist. */
export function resolveInputs(inputs: readonly string[], cwd: string, warn: (m: string) => void): string[] {
  const files = new Set<string>();
  const list = inputs.length === 0 ? ['.'] : inputs;
  for (const input of list) {
    const abs = path.resolve(cwd, input);
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(abs);
    } catch (err) {
      if (!isGlob(input)) throw new PavedError('io', `${input}: no such file or directory`, { cause: err });
    }
    if (stat?.isDirectory()) {
      walk(abs, (p) => {
        if (kindFromFileName(p) !== 'unknown') files.add(p);
      }, true);
    } else if (stat?.isFile()) {
      files.add(abs);
    } else {
      const matched = expandGlob(input, cwd);
      if (matched.length === 0) warn(`paved lint: '${input}' matches no file`);
      for (const m of matched) files.add(m);
    }
  }
  return [...files].sort();
}

// ---- policies ----------------------------------------------------------------------------------------------------

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new PavedError('io', `cannot read ${file}: ${describeError(err)}`, { cause: err });
  }
}

function policiesFor(o: Options, cwd: string, warn: (m: string) => void, fromPlatform: LintPlatform): PolicySet {
  const platform = o.policies ? loadPolicySet(readText(path.resolve(cwd, o.policies)), o.policies) : fromPlatform.set;
  const repoFile = path.join(cwd, '.paved', 'policies.yaml');
  if (!fs.existsSync(repoFile)) return platform;
  const merged = mergePolicySets(platform, loadPolicySet(readText(repoFile), '.paved/policies.yaml'));
  for (const n of merged.notes) warn(`paved lint: ${n}`);
  return merged;
}

// ---- output -------------------------------------------------------------------------------------------------------

/** A file's path as printed: relative to `cwd`, '/'-separated (path.relative, without its cost for files under cwd). */
function displayPaths(cwd: string): (file: string) => string {
  const base = path.resolve(cwd);
  const prefix = base.endsWith(path.sep) ? base : base + path.sep;
  const slashes = path.sep === '/' ? (p: string) => p : (p: string) => p.split(path.sep).join('/');
  return (file) => {
    if (file.startsWith(prefix) && file.length > prefix.length && !file.includes(`${path.sep}..${path.sep}`)) return slashes(file.slice(prefix.length));
    return slashes(path.relative(cwd, file)) || path.basename(file);
  };
}

interface FileReport {
  file: string;
  /** Path as printed: relative to the working directory, '/'-separated. */
  display: string;
  text: string;
  result: LintResult;
}

interface Located {
  f: Finding;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

function locateAll(r: FileReport): Located[] {
  if (r.result.findings.length === 0) return [];
  const idx = new LineIndex(r.text);
  // Editors do not count a byte-order mark as a column: neither do we.
  const bom = r.text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const col = (p: { line: number; column: number }) => (p.line === 0 ? Math.max(0, p.column - bom) : p.column) + 1;
  return r.result.findings.map((f) => {
    const s = idx.position(f.offset);
    const e = idx.position(f.offset + f.length);
    return { f, line: s.line + 1, column: col(s), endLine: e.line + 1, endColumn: col(e) };
  });
}

function sarifLevel(s: Severity): 'error' | 'warning' | 'note' {
  return s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note';
}

interface SetInfo {
  name: string;
  version: string;
  /** Where it came from: the platform's name, a --policies file, or Paved's default. */
  source: string;
}

function toSarif(reports: FileReport[], cwd: string, set: SetInfo): object {
  const rules: { id: string; shortDescription: { text: string }; helpUri?: string; defaultConfiguration: { level: string } }[] = [];
  const ruleIndex = new Map<string, number>();
  const results: object[] = [];
  for (const r of reports) {
    for (const l of locateAll(r)) {
      let idx = ruleIndex.get(l.f.ruleId);
      if (idx === undefined) {
        idx = rules.length;
        ruleIndex.set(l.f.ruleId, idx);
        rules.push({
          id: l.f.ruleId,
          shortDescription: { text: `${l.f.source} rule ${l.f.ruleId}` },
          ...(l.f.docsUrl ? { helpUri: l.f.docsUrl } : {}),
          defaultConfiguration: { level: sarifLevel(l.f.severity) },
        });
      }
      results.push({
        ruleId: l.f.ruleId,
        ruleIndex: idx,
        level: sarifLevel(l.f.severity),
        message: { text: l.f.message },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: encodeURI(r.display), uriBaseId: '%SRCROOT%' },
              region: { startLine: l.line, startColumn: l.column, endLine: l.endLine, endColumn: l.endColumn, charOffset: l.f.offset, charLength: l.f.length },
            },
          },
        ],
      });
    }
  }
  const root = cwd.split(path.sep).join('/');
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: { name: 'paved', version, semanticVersion: version, informationUri: 'https://paved.dev/docs/cli#lint', rules },
          // The policy set is the plug-in that decides which rules exist: named with its version.
          extensions: [{ name: set.name, version: set.version, fullName: `policy set ${set.name} ${set.version} (${set.source})` }],
        },
        properties: { policySet: set },
        originalUriBaseIds: { '%SRCROOT%': { uri: `file://${root.startsWith('/') ? '' : '/'}${encodeURI(root)}/` } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

function toJson(reports: FileReport[], totals: { errors: number; warnings: number }, set: SetInfo): object {
  return {
    version: 1,
    policySet: set,
    files: reports.map((r) => ({
      file: r.display,
      kind: r.result.kind,
      findings: locateAll(r).map((l) => ({
        line: l.line,
        column: l.column,
        endLine: l.endLine,
        endColumn: l.endColumn,
        offset: l.f.offset,
        length: l.f.length,
        severity: l.f.severity,
        ruleId: l.f.ruleId,
        source: l.f.source,
        message: l.f.message,
        ...(l.f.docsUrl ? { docsUrl: l.f.docsUrl } : {}),
        ...(l.f.fixes ? { fixes: l.f.fixes.map((x) => x.title) } : {}),
      })),
    })),
    summary: { files: reports.length, ...totals },
  };
}

export async function runLint(args: string[], io: CliIO, cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const warn = (m: string) => io.stderr.write(`${m}\n`);
  let o: Options;
  try {
    o = parseOptions(args);
  } catch (err) {
    io.stderr.write(`paved lint: ${describeError(err)}\n${usage}\n`);
    return 2;
  }
  const reports: FileReport[] = [];
  let set: SetInfo;
  try {
    const files = resolveInputs(o.inputs, cwd, warn);
    if (files.length === 0) {
      io.stderr.write(`paved lint: no manifest files found (looked for ${MANIFEST_KINDS.map((k) => `${k.fileStem}.yaml`).join(', ')})\n`);
      return 2;
    }
    const platform = await lintPlatform(o.connection, env);
    if (platform.fallback) {
      if (o.requirePlatform) {
        io.stderr.write(`paved lint: --require-platform: ${platform.fallback}\n`);
        return 2;
      }
      if (!o.policies) warn(`paved lint: linting with Paved's default policy set: ${platform.fallback}`);
    }
    const policies = policiesFor(o, cwd, warn, platform);
    set = { name: policies.name, version: policySetVersion(policies), source: o.policies ? o.policies : platform.fallback ? "Paved's default set" : (platform.platform ?? '') };
    const deprecated = new Set([...o.deprecated, ...(platform.deprecatedServices ?? [])]);
    const context = {
      ...(o.environment ? { environment: o.environment } : {}),
      ...(deprecated.size > 0 ? { deprecatedServices: deprecated } : {}),
      ...(platform.catalog ? { catalog: platform.catalog } : {}),
    };
    const options = { policies, context, maxSize: CLI_MAX_SIZE, maxFullParseSize: CLI_MAX_SIZE, tooLargeHint: 'paved lint skips it' };
    const display = displayPaths(cwd);
    for (const file of files) {
      const text = readText(file);
      const result = lint(text, file, options);
      // Only findings need the text (for their lines and columns): the rest need not stay in memory until the end.
      reports.push({ file, display: display(file), text: result.findings.length > 0 ? text : '', result });
    }
  } catch (err) {
    io.stderr.write(`paved lint: ${describeError(err)}${err instanceof UsageError ? `\n${usage}` : ''}\n`);
    return 2;
  }
  let errors = 0;
  let warnings = 0;
  for (const r of reports) {
    for (const f of r.result.findings) {
      if (f.severity === 'error') errors++;
      else if (f.severity === 'warning') warnings++;
    }
  }
  if (o.format === 'json') {
    io.stdout.write(JSON.stringify(toJson(reports, { errors, warnings }, set), null, 2) + '\n');
  } else if (o.format === 'sarif') {
    io.stdout.write(JSON.stringify(toSarif(reports, cwd, set), null, 2) + '\n');
  } else {
    const lines: string[] = [];
    for (const r of reports) for (const l of locateAll(r)) lines.push(`${r.display}:${l.line}:${l.column} ${l.f.severity} ${l.f.ruleId} ${l.f.message}`);
    lines.push(`${reports.length} file${reports.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
    io.stdout.write(lines.join('\n') + '\n');
  }
  if (errors > 0) return 1;
  if (o.maxWarnings !== undefined && warnings > o.maxWarnings) {
    io.stderr.write(`paved lint: ${warnings} warnings, more than --max-warnings ${o.maxWarnings}\n`);
    return 1;
  }
  return 0;
}

export const lintCommand: Subcommand = {
  name: 'lint',
  summary: 'lint paved.yaml, catalog-info.yaml and score.yaml files (text, JSON or SARIF)',
  usage,
  run: (args, io) => runLint(args, io),
};
