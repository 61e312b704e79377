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

/** @param {number} port */
function start(port) {
  const server = http.createServer(handle);
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
