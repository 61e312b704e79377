// @ts-check
'use strict';
const http = require('node:http');

/** Headers every response carries. */
const SECURITY_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

/**
 * Handles one request. Exported for the tests.
 * @param {http.IncomingMessage} req
 * @param {http.ServerResponse} res
 */
function handle(req, res) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', service: '{{name}}' }));
    return;
  }
  if (url.pathname === '/') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ service: '{{name}}', owner: '{{owner}}', message: 'Hello from {{name}}' }));
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: 'not found' }));
}

/** @param {number} port */
function start(port) {
  // Access log: one line per request on stdout (not the platform's health checks every few seconds), which the
  // platform keeps and Paved shows with "Show Service Logs" and `paved logs`.
  const server = http.createServer((req, res) => {
    res.on('finish', () => {
      if (req.url !== '/healthz') console.log(`${req.method} ${req.url} ${res.statusCode}`);
    });
    handle(req, res);
  });
  server.listen(port, '127.0.0.1', () => {
    console.log(`{{name}} listening on http://127.0.0.1:${port}`);
  });
  // Graceful shutdown: stop accepting connections, let the requests in flight finish, then exit (or give up after
  // the timeout, so a stuck client cannot keep an old release alive).
  const stop = (/** @type {string} */ signal) => {
    console.log(`{{name}}: ${signal}, finishing the requests in flight`);
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), {{shutdownTimeoutSeconds}} * 1000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return server;
}

module.exports = { handle, start };

if (require.main === module) start(Number(process.env.PORT ?? {{port}}));
