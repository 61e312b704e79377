// @ts-check
'use strict';
const http = require('node:http');

/**
 * Handles one request. Exported for the tests.
 * @param {http.IncomingMessage} req
 * @param {http.ServerResponse} res
 */
function handle(req, res) {
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

/**
 * Serves on `port`, with an access log: one line per request on stdout (not the health checks the platform probes
 * every few seconds), which the platform keeps and Paved shows with "Show Service Logs" and `paved logs`.
 * @param {number} port
 */
function start(port) {
  const server = http.createServer((req, res) => {
    res.on('finish', () => {
      if (req.url !== '/healthz') console.log(`${req.method} ${req.url} ${res.statusCode}`);
    });
    handle(req, res);
  });
  server.listen(port, '127.0.0.1', () => {
    console.log(`{{name}} listening on http://127.0.0.1:${port}`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return server;
}

module.exports = { handle, start };

if (require.main === module) start(Number(process.env.PORT ?? {{port}}));
