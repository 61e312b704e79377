/**
 * Typed platform errors. Every failure of a platform call (Paved API or Backstage) ends as a `PlatformError`: a
 * `PavedError` with a stable `code`, the HTTP status when there was one, the server's error document (RFC 9457
 * problem+json or Backstage's `{error:{name,message}}`), the request id, and a message that tells the user what
 * to do. The UI branches on `code` / `action`, never on the message text.
 */
import { PavedError, type PavedErrorCode } from '../core/errors';

/** The codes a platform call can fail with (a subset of PavedErrorCode). */
export type PlatformErrorCode = Extract<
  PavedErrorCode,
  | 'unreachable'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'invalid-input'
  | 'invalid-response'
  | 'server-error'
  | 'timeout'
  | 'cancelled'
  | 'unsupported'
  | 'untrusted'
>;

/** What the UI should offer next to the message. */
export type PlatformErrorAction = 'sign-in' | 'retry' | 'open-settings' | 'show-log' | 'none';

/** RFC 9457 problem details (extension members kept). */
export interface ProblemDocument {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

/** Backstage's error body: `{error:{name,message}, request:{method,url}, response:{statusCode}}`. */
export interface BackstageErrorBody {
  error: { name: string; message: string; [k: string]: unknown };
  request?: { method?: string; url?: string };
  response?: { statusCode?: number };
}

/** The server's explanation of an error response, normalised. */
export interface ServerErrorInfo {
  kind: 'problem' | 'backstage' | 'validation' | 'text' | 'html' | 'empty';
  /** One short line from the server (problem `detail`/`title`, Backstage `error.message`), if any. */
  message?: string;
  /** Problem `type` or Backstage `error.name`. */
  name?: string;
  problem?: ProblemDocument;
  backstage?: BackstageErrorBody;
  /** Backstage scaffolder / ajv-style `{errors:[{message,...}]}` messages. */
  validationErrors?: string[];
}

export interface PlatformErrorInit {
  status?: number;
  method?: string;
  /** Path (and query) of the request, relative to the platform base URL. Never carries the token. */
  path?: string;
  requestId?: string;
  server?: ServerErrorInfo;
  /** How long the platform asked us to wait (Retry-After), when it did. */
  retryAfterMs?: number;
  action?: PlatformErrorAction;
  cause?: unknown;
  detail?: string;
}

export class PlatformError extends PavedError {
  declare readonly code: PlatformErrorCode;
  readonly status?: number;
  readonly method?: string;
  readonly path?: string;
  readonly requestId?: string;
  readonly server?: ServerErrorInfo;
  readonly retryAfterMs?: number;
  /** The action the UI should offer ("Sign In", "Retry", "Open Settings", "Show Log"). */
  readonly action: PlatformErrorAction;
  /**
   * The problem type the server named (RFC 9457): the problem document's `code` member, else the last path segment
   * of its `type` URI (`https://paved.dev/problems/approval-required` → `approval-required`). Branch on this, never
   * on the message: e.g. `approval-required`, `idempotency-mismatch`.
   */
  readonly problemCode?: string;

  constructor(code: PlatformErrorCode, message: string, init: PlatformErrorInit = {}) {
    super(code, message, { cause: init.cause, detail: init.detail ?? describeRequest(init) });
    this.name = 'PlatformError';
    this.status = init.status;
    this.method = init.method;
    this.path = init.path;
    this.requestId = init.requestId;
    this.server = init.server;
    this.retryAfterMs = init.retryAfterMs;
    this.action = init.action ?? actionForCode(code);
    this.problemCode = problemCodeOf(init.server?.problem);
  }

  static isPlatformError(err: unknown, code?: PlatformErrorCode): err is PlatformError {
    return err instanceof PlatformError && (code === undefined || err.code === code);
  }
}

/** A finding of a `policy-violation` problem, as the platform sent it (checked member by member). */
export interface PlatformPolicyFinding {
  ruleId: string;
  severity: 'error' | 'warning' | 'info' | 'hint';
  message: string;
  /** JSON pointer into the manifest. */
  path: string;
  docsUrl?: string;
  on?: 'key';
}

const SEVERITIES = new Set(['error', 'warning', 'info', 'hint']);

/** The findings of a `policy-violation` problem document; malformed entries are dropped. */
export function policyFindingsOf(problem: ProblemDocument | undefined): PlatformPolicyFinding[] {
  const list = problem?.findings;
  if (!Array.isArray(list)) return [];
  const out: PlatformPolicyFinding[] = [];
  for (const f of list) {
    if (!isRecord(f) || typeof f.ruleId !== 'string' || typeof f.message !== 'string' || typeof f.path !== 'string' || !SEVERITIES.has(f.severity as string)) continue;
    const finding: PlatformPolicyFinding = { ruleId: f.ruleId, severity: f.severity as PlatformPolicyFinding['severity'], message: f.message, path: f.path };
    if (typeof f.docsUrl === 'string') finding.docsUrl = f.docsUrl;
    if (f.on === 'key') finding.on = 'key';
    out.push(finding);
  }
  return out;
}

/**
 * The platform refused a deployment or promotion because the manifest breaks its policies (problem type
 * `policy-violation`): the findings say which rules and where (JSON pointers into the manifest).
 */
export class PolicyViolationError extends PlatformError {
  readonly findings: PlatformPolicyFinding[];
  /** The policy set the platform checked with. */
  readonly policySet?: { name: string; version: string };

  constructor(message: string, init: PlatformErrorInit) {
    super('conflict', message, { ...init, action: 'none' });
    this.name = 'PolicyViolationError';
    this.findings = policyFindingsOf(init.server?.problem);
    const set = init.server?.problem?.policySet;
    if (isRecord(set) && typeof set.name === 'string' && typeof set.version === 'string') this.policySet = { name: set.name, version: set.version };
  }
}

/**
 * The problem type of a problem document: its `code` member, else the last path segment of its `type` URI; undefined
 * for `about:blank` (RFC 9457: no further meaning than the HTTP status) or no document.
 */
export function problemCodeOf(problem: ProblemDocument | undefined): string | undefined {
  if (!problem) return undefined;
  if (typeof problem.code === 'string' && problem.code !== '') return problem.code;
  if (typeof problem.type !== 'string' || problem.type === '' || problem.type === 'about:blank') return undefined;
  const last = problem.type.replace(/[?#].*$/, '').replace(/\/+$/, '').split(/[/:]/).pop();
  return last || undefined;
}

/** The action to offer for an error: a PlatformError's own, else the one its code suggests (any PavedError). */
export function errorAction(err: unknown): PlatformErrorAction {
  if (err instanceof PlatformError) return err.action;
  if (err instanceof PavedError) return actionForCode(err.code);
  return 'show-log';
}

/** The action a code suggests when the error does not name one. */
export function actionForCode(code: PavedErrorCode): PlatformErrorAction {
  switch (code) {
    case 'unauthorized':
      return 'sign-in';
    case 'unreachable':
    case 'timeout':
    case 'server-error':
      return 'retry';
    case 'invalid-response':
      return 'show-log';
    case 'untrusted':
    case 'invalid-input':
      return 'none';
    default:
      return 'none';
  }
}

function describeRequest(init: PlatformErrorInit): string | undefined {
  const parts: string[] = [];
  if (init.method && init.path) parts.push(`${init.method} ${init.path}`);
  if (init.status !== undefined) parts.push(`HTTP ${init.status}`);
  if (init.requestId) parts.push(`request id ${init.requestId}`);
  if (init.server?.name) parts.push(init.server.name);
  if (init.server?.message) parts.push(init.server.message);
  return parts.length ? parts.join(' · ') : undefined;
}

const MAX_SERVER_MESSAGE = 300;

function clip(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > MAX_SERVER_MESSAGE ? `${one.slice(0, MAX_SERVER_MESSAGE - 1)}…` : one;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True when a body looks like an HTML page (a proxy, login or error page) rather than API data. */
export function looksLikeHtml(contentType: string | undefined, body: string): boolean {
  if (contentType && /\btext\/html\b|application\/xhtml/i.test(contentType)) return true;
  return /^\s*(<!doctype html|<html[\s>]|<head[\s>]|<body[\s>])/i.test(body);
}

/** Reads the server's error body: problem+json, Backstage error JSON, `{errors:[...]}`, HTML or plain text. */
export function parseServerError(contentType: string | undefined, body: string): ServerErrorInfo {
  if (body.trim() === '') return { kind: 'empty' };
  if (looksLikeHtml(contentType, body)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(body)?.[1];
    return { kind: 'html', message: title ? clip(title) : undefined };
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    // Not JSON: keep the first line of text as the server's message.
    return { kind: 'text', message: clip(body) };
  }
  if (isRecord(json)) {
    const err = json.error;
    if (isRecord(err) && typeof err.message === 'string') {
      return {
        kind: 'backstage',
        name: typeof err.name === 'string' ? err.name : undefined,
        message: clip(err.message),
        backstage: json as unknown as BackstageErrorBody,
      };
    }
    if (Array.isArray(json.errors)) {
      const messages = json.errors
        .map((e) => (isRecord(e) && typeof e.message === 'string' ? clip(e.message) : undefined))
        .filter((m): m is string => m !== undefined);
      return { kind: 'validation', message: messages.join('; ') || undefined, validationErrors: messages };
    }
    if (typeof json.title === 'string' || typeof json.detail === 'string' || typeof json.type === 'string') {
      const p = json as ProblemDocument;
      const msg = typeof p.detail === 'string' ? p.detail : typeof p.title === 'string' ? p.title : undefined;
      return { kind: 'problem', name: typeof p.type === 'string' ? p.type : undefined, message: msg && clip(msg), problem: p };
    }
  }
  return { kind: 'text', message: clip(body) };
}

/** The request id of a response: `x-request-id` / `request-id` header, or a `requestId` problem member. */
export function requestIdOf(headers: Record<string, unknown>, server?: ServerErrorInfo): string | undefined {
  for (const name of ['x-request-id', 'request-id', 'x-correlation-id']) {
    const v = headers[name];
    if (typeof v === 'string' && v) return v;
  }
  const fromProblem = server?.problem?.requestId;
  return typeof fromProblem === 'string' ? fromProblem : undefined;
}

/** The typed error for an HTTP error status (4xx/5xx), with a message that says what to do. */
export function errorForStatus(
  status: number,
  server: ServerErrorInfo,
  init: Omit<PlatformErrorInit, 'status' | 'server'> & { platform?: string },
): PlatformError {
  const platform = init.platform ?? 'The platform';
  const said = server.message && server.kind !== 'html' ? ` (${server.message})` : '';
  const full = { ...init, status, server };
  const problemCode = problemCodeOf(server.problem);
  if (problemCode === 'idempotency-mismatch') {
    return new PlatformError(
      'conflict',
      `${platform} already received this operation with different details (Idempotency-Key reused)${said}. Start it again as a new operation.`,
      full,
    );
  }
  if (problemCode === 'policy-violation') {
    return new PolicyViolationError(`${platform} refused it: the manifest breaks its policies${said}.`, full);
  }
  if (problemCode === 'approval-required') {
    return new PlatformError(
      status === 403 ? 'forbidden' : 'conflict',
      `This deployment needs approval${said}. Confirm it explicitly to go ahead.`,
      { ...full, action: 'none' },
    );
  }
  if (status === 401) {
    return new PlatformError('unauthorized', `${platform} rejected the credentials${said}. Sign in again with "Paved: Sign In".`, full);
  }
  if (status === 403) {
    return new PlatformError(
      'forbidden',
      `${platform} refused access${said}. Ask the platform team for access to this resource.`,
      full,
    );
  }
  if (status === 404) return new PlatformError('not-found', `Not found on ${lower(platform)}${said}.`, full);
  if (status === 409) {
    return new PlatformError('conflict', `${platform} reported a conflict${said}. Refresh and try again.`, full);
  }
  if (status === 400 || status === 422) {
    return new PlatformError('invalid-input', `${platform} rejected the request${said}.`, full);
  }
  if (status === 408) {
    return new PlatformError('timeout', `${platform} timed out handling the request${said}. Try again.`, full);
  }
  if (status === 429) {
    return new PlatformError(
      'server-error',
      `${platform} is rate-limiting requests${said}. ${retryHint(init.retryAfterMs)}`,
      full,
    );
  }
  if (status >= 500) {
    const html = server.kind === 'html' ? ' It answered with an HTML error page (a proxy or gateway in between?).' : '';
    const unavailable = status === 502 || status === 503 || status === 504;
    return new PlatformError(
      'server-error',
      `${platform} ${unavailable ? 'is unavailable' : 'failed'} (HTTP ${status})${said}.${html} ${retryHint(init.retryAfterMs)}`,
      full,
    );
  }
  return new PlatformError('invalid-response', `${platform} answered with unexpected HTTP ${status}${said}.`, full);
}

function lower(platform: string): string {
  return platform.startsWith('The ') ? `the ${platform.slice(4)}` : platform;
}

function retryHint(retryAfterMs: number | undefined): string {
  if (retryAfterMs === undefined) return 'Try again later.';
  const s = Math.ceil(retryAfterMs / 1000);
  return `Try again in ${s < 120 ? `${s} s` : `${Math.ceil(s / 60)} min`}.`;
}

/** The backend cannot do this at all (announced in its capabilities): fail at once, not late. */
export function unsupportedError(platform: string, what: string, hint?: string): PlatformError {
  return new PlatformError('unsupported', `${platform} cannot ${what}.${hint ? ` ${hint}` : ''}`, { action: 'none' });
}
