'use strict';
// Serves dist/ on PORT with GET /healthz; refuses paths outside dist/.
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');

const dist = path.join(__dirname, 'dist');
const types = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.svg': 'image/svg+xml' };

function handle(req, res) {
  const url = new URL(req.url || '/', 'http://localhost');
  if (url.pathname === '/healthz') {
    const ok = fs.existsSync(path.join(dist, 'index.html'));
    res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: ok ? 'ok' : 'not built' }));
    return;
  }
  const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
  const file = path.resolve(dist, rel);
  if (!file.startsWith(dist + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
    return;
  }
  res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
}

module.exports = { handle };

if (require.main === module) {
  const port = Number(process.env.PORT || 8080);
  const server = http.createServer(handle).listen(port, '127.0.0.1', () => console.log(`{{name}} on http://127.0.0.1:${port}`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
