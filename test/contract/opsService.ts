/**
 * A service for the day-two tests: its health check answers what `/flip?status=N` set (200 at start), `/` logs the
 * request to stdout, `/err` to stderr, `/burst?n=N&tag=T` writes N numbered lines, `/long` a 20 KB line, `/secret`
 * the value of API_TOKEN (a `spec.secrets` variable) — so the tests can drive logs and health from outside. Its build,
 * when it has one, prints API_TOKEN too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface OpsServiceOptions {
  owner?: string;
  intervalSeconds?: number;
  failureThreshold?: number;
  restartAfterSeconds?: number;
  approval?: boolean;
  slos?: string[];
  /** A build step that prints the value of API_TOKEN (a `spec.secrets` variable) between two plain lines. */
  buildPrintsSecret?: boolean;
}

export function writeOpsService(dir: string, name: string, o: OpsServiceOptions = {}): void {
  fs.mkdirSync(dir, { recursive: true });
  const health = [`path: /healthz`, `intervalSeconds: ${o.intervalSeconds ?? 1}`, `failureThreshold: ${o.failureThreshold ?? 2}`, ...(o.restartAfterSeconds ? [`restartAfterSeconds: ${o.restartAfterSeconds}`] : [])];
  const manifest = [
    'apiVersion: paved.dev/v1',
    'kind: Service',
    'metadata:',
    `  name: ${name}`,
    `  owner: ${o.owner ?? 'team-ops'}`,
    '  lifecycle: experimental',
    'spec:',
    '  runtime: { name: node }',
    ...(o.buildPrintsSecret ? ['  build: { command: node build.js }'] : []),
    '  run: { command: node server.js, port: 8080 }',
    `  health: { ${health.join(', ')} }`,
    '  secrets: { API_TOKEN: { ref: "vault://ops/api#token" } }',
    '  slos:',
    ...(o.slos ?? ['    - { name: availability, objective: 99, window: 1d }', '    - { name: latency-p99, objective: 95, window: 1d, thresholdMs: 250 }']),
    ...(o.approval ? ['  environments:', '    production: { approval: required }'] : []),
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'paved.yaml'), manifest + '\n');
  if (o.buildPrintsSecret) fs.writeFileSync(path.join(dir, 'build.js'), "console.log('building');\nconsole.log('token is ' + process.env.API_TOKEN);\nconsole.log('built');\n");
  fs.writeFileSync(
    path.join(dir, 'server.js'),
    `const http = require('http');
let health = 200;
http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/healthz') { res.writeHead(health); res.end(String(health)); return; }
  if (url.pathname === '/flip') { health = Number(url.searchParams.get('status')); res.end('health ' + health); return; }
  if (url.pathname === '/err') { console.error('something went wrong ' + (url.searchParams.get('tag') || '')); res.end('ok'); return; }
  if (url.pathname === '/burst') {
    const n = Number(url.searchParams.get('n')), tag = url.searchParams.get('tag') || 'line';
    let out = '';
    for (let i = 1; i <= n; i++) out += tag + ' ' + i + '\\n';
    process.stdout.write(out, () => res.end('wrote ' + n));
    return;
  }
  if (url.pathname === '/long') { console.log('x'.repeat(20000)); res.end('ok'); return; }
  if (url.pathname === '/secret') { console.log('token is ' + process.env.API_TOKEN); res.end('ok'); return; }
  console.log('GET ' + url.pathname + ' ' + (url.searchParams.get('tag') || ''));
  res.end('hello');
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening on ' + process.env.PORT));
process.on('SIGTERM', () => { console.log('SIGTERM received, closing'); process.exit(0); });
`,
  );
}

export interface SseEvent {
  id?: string;
  event: string;
  data: any;
}

/** Opens an SSE stream; `next()` gives the events one by one; `close()` drops the connection (as a network would). */
export async function openSse(url: string, token: string, headers: Record<string, string> = {}): Promise<{ next(): Promise<SseEvent>; close(): void; status: number }> {
  const ctl = new AbortController();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...headers }, signal: ctl.signal });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buf = '';
  const queue: SseEvent[] = [];
  const next = async (): Promise<SseEvent> => {
    for (;;) {
      if (queue.length) return queue.shift() as SseEvent;
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buf += decoder.decode(value, { stream: true });
      let sep: number;
      while ((sep = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, sep);
        buf = buf.slice(sep + 2);
        const e: SseEvent = { event: 'message', data: undefined };
        let data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const i = line.indexOf(':');
          const k = line.slice(0, i);
          const v = line.slice(i + 1).replace(/^ /, '');
          if (k === 'id') e.id = v;
          else if (k === 'event') e.event = v;
          else if (k === 'data') data += v;
        }
        if (data === '' && e.id === undefined && e.event === 'message') continue;
        e.data = data ? JSON.parse(data) : undefined;
        queue.push(e);
      }
    }
  };
  return { next, close: () => ctl.abort(), status: res.status };
}
