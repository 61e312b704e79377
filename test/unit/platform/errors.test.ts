import * as assert from 'node:assert/strict';
import { PavedError } from '../../../src/core/errors';
import { errorAction, errorForStatus, parseServerError, PlatformError, problemCodeOf, requestIdOf } from '../../../src/platform/errors';
import { abortSignalFrom, isLoopbackHost, linkedSignal, parsePlatformUrl, parseRetryAfter } from '../../../src/platform/transport';

function urlError(raw: string): string {
  try {
    parsePlatformUrl(raw);
  } catch (err) {
    return (err as Error).message;
  }
  return 'ok';
}

describe('platform URL rules', () => {
  it('treats exactly 127.0.0.0/8, ::1 and localhost as loopback', () => {
    const yes = ['127.0.0.1', '127.255.0.9', 'localhost', 'LOCALHOST', '[::1]', '::1'];
    const no = ['128.0.0.1', '127.0.0.256', '10.0.0.1', 'localhost.evil.com', '127.0.0.1.nip.io', '[::2]', '0.0.0.0', 'example.com'];
    assert.deepEqual(yes.map(isLoopbackHost), yes.map(() => true));
    assert.deepEqual(no.map(isLoopbackHost), no.map(() => false));
  });

  it('requires https except on loopback, and refuses credentials, queries and other schemes', () => {
    assert.equal(urlError('https://platform.example.com/api'), 'ok');
    assert.equal(urlError('http://127.0.0.1:7443'), 'ok');
    assert.equal(urlError('http://[::1]:7443'), 'ok');
    assert.equal(
      urlError('http://platform.example.com'),
      'paved.platform.url must use https for platform.example.com: the token would travel unencrypted. http is allowed only for loopback addresses (127.0.0.1, ::1, localhost).',
    );
    assert.equal(urlError(''), 'No platform URL is set. Set paved.platform.url.');
    assert.equal(urlError('not a url'), 'paved.platform.url is not a valid URL: "not a url".');
    assert.equal(urlError('ftp://x.example'), 'paved.platform.url must be an https URL, not ftp:.');
    assert.equal(urlError('https://u:p@x.example'), 'paved.platform.url must not contain a user name or password; Paved sends a bearer token.');
    assert.equal(urlError('https://x.example/?a=1'), 'paved.platform.url must not contain a query or fragment.');
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0);
    assert.equal(parseRetryAfter('7', now), 7000);
    assert.equal(parseRetryAfter(new Date(now + 90_000).toUTCString(), now), 90_000);
    assert.equal(parseRetryAfter(new Date(now - 5_000).toUTCString(), now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });
});

describe('abortSignalFrom (VS Code CancellationToken → AbortSignal)', () => {
  it('aborts when the token is cancelled and unsubscribes on dispose', () => {
    const listeners = new Set<() => void>();
    const token = {
      isCancellationRequested: false,
      onCancellationRequested(l: () => void) {
        listeners.add(l);
        return { dispose: () => listeners.delete(l) };
      },
    };
    const a = abortSignalFrom(token);
    assert.equal(a.signal.aborted, false);
    for (const l of listeners) l();
    assert.equal(a.signal.aborted, true);
    a.dispose();
    assert.equal(listeners.size, 0);
    assert.equal(abortSignalFrom({ ...token, isCancellationRequested: true }).signal.aborted, true);
  });
});

describe('linkedSignal (AbortSignal.any for Node 18 extension hosts)', () => {
  it('aborts with the reason of whichever signal aborts first, then unlinks', () => {
    const a = new AbortController();
    const b = new AbortController();
    const linked = linkedSignal(a.signal, undefined, b.signal);
    assert.equal(linked.signal.aborted, false);
    b.abort('stop');
    assert.equal(linked.signal.aborted, true);
    assert.equal(linked.signal.reason, 'stop');
  });

  it('dispose removes its listeners from a long-lived signal (no leak across calls)', () => {
    const lifetime = new AbortController();
    let added = 0;
    let removed = 0;
    const add = lifetime.signal.addEventListener.bind(lifetime.signal);
    const remove = lifetime.signal.removeEventListener.bind(lifetime.signal);
    lifetime.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      added++;
      add(...args);
    });
    lifetime.signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      removed++;
      remove(...args);
    });
    for (let i = 0; i < 3; i++) linkedSignal(lifetime.signal, new AbortController().signal).dispose();
    assert.equal(added, 3);
    assert.equal(removed, 3);
    const pre = new AbortController();
    pre.abort('early');
    assert.equal(linkedSignal(lifetime.signal, pre.signal).signal.reason, 'early');
  });
});

describe('server error bodies', () => {
  it('reads problem+json, Backstage error JSON, scaffolder validation errors, HTML and text', () => {
    assert.deepEqual(parseServerError('application/problem+json', '{"type":"t","title":"Bad","status":400,"detail":"limit too big"}'), {
      kind: 'problem',
      name: 't',
      message: 'limit too big',
      problem: { type: 't', title: 'Bad', status: 400, detail: 'limit too big' },
    });
    const bs = parseServerError('application/json', '{"error":{"name":"NotFoundError","message":"No entity"},"response":{"statusCode":404}}');
    assert.equal(bs.kind, 'backstage');
    assert.equal(bs.name, 'NotFoundError');
    assert.equal(bs.message, 'No entity');
    const v = parseServerError('application/json', '{"errors":[{"path":[],"property":"instance","message":"requires property \\"name\\"","name":"required"}]}');
    assert.deepEqual(v, { kind: 'validation', message: 'requires property "name"', validationErrors: ['requires property "name"'] });
    assert.deepEqual(parseServerError('text/html', '<html><title> Oops </title></html>'), { kind: 'html', message: 'Oops' });
    assert.deepEqual(parseServerError('text/plain', 'upstream\n  timeout'), { kind: 'text', message: 'upstream timeout' });
    assert.deepEqual(parseServerError(undefined, ''), { kind: 'empty' });
  });

  it('takes the request id from headers, then from the problem', () => {
    assert.equal(requestIdOf({ 'x-request-id': 'h1' }), 'h1');
    assert.equal(requestIdOf({}, { kind: 'problem', problem: { requestId: 'p1' } }), 'p1');
    assert.equal(requestIdOf({}), undefined);
  });

  it('maps statuses to codes with actions', () => {
    const e = (s: number) => errorForStatus(s, { kind: 'empty' }, { platform: 'Backstage' });
    assert.deepEqual(
      [401, 403, 404, 409, 400, 422, 408, 429, 500, 503, 418].map((s) => [s, e(s).code, e(s).action]),
      [
        [401, 'unauthorized', 'sign-in'],
        [403, 'forbidden', 'none'],
        [404, 'not-found', 'none'],
        [409, 'conflict', 'none'],
        [400, 'invalid-input', 'none'],
        [422, 'invalid-input', 'none'],
        [408, 'timeout', 'retry'],
        [429, 'server-error', 'retry'],
        [500, 'server-error', 'retry'],
        [503, 'server-error', 'retry'],
        [418, 'invalid-response', 'show-log'],
      ],
    );
    assert.equal(e(403).message, 'Backstage refused access. Ask the platform team for access to this resource.');
    assert.equal(e(404).message, 'Not found on Backstage.');
  });
});

describe('problem types and actions', () => {
  it('names the problem type from the problem document: its code member, else the last segment of its type URI', () => {
    const problem = (p: Record<string, unknown>) => errorForStatus(403, { kind: 'problem', problem: p }, {});
    assert.equal(problem({ type: 'https://paved.dev/problems/approval-required', code: 'approval-required', status: 403 }).problemCode, 'approval-required');
    assert.equal(problem({ type: 'https://paved.dev/problems/approval-required', status: 403 }).problemCode, 'approval-required');
    assert.equal(problem({ type: 'urn:example:quota-exceeded/', status: 403 }).problemCode, 'quota-exceeded');
    assert.equal(problem({ type: 'about:blank', status: 403 }).problemCode, undefined);
    assert.equal(errorForStatus(403, { kind: 'empty' }, {}).problemCode, undefined);
    assert.equal(problemCodeOf({ code: 'idempotency-mismatch', type: 'https://x/other' }), 'idempotency-mismatch');
  });

  it('an approval-required problem becomes a forbidden error whatever its text says', () => {
    const err = errorForStatus(403, { kind: 'problem', message: 'policy says no', problem: { type: 'https://paved.dev/problems/approval-required', status: 403, detail: 'policy says no' } }, {});
    assert.deepEqual([err.code, err.problemCode, err.action], ['forbidden', 'approval-required', 'none']);
    assert.match(err.message, /^This deployment needs approval/);
  });

  it('the action to offer: a PlatformError’s own, else the one its code suggests', () => {
    assert.equal(errorAction(new PlatformError('unreachable', 'x', { action: 'open-settings' })), 'open-settings');
    assert.equal(errorAction(new PlatformError('unreachable', 'x')), 'retry');
    assert.equal(errorAction(new PavedError('unauthorized', 'x')), 'sign-in');
    assert.equal(errorAction(new PavedError('server-error', 'x')), 'retry');
    assert.equal(errorAction(new PavedError('io', 'x')), 'none');
    assert.equal(errorAction(new Error('x')), 'show-log');
  });
});
