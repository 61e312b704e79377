// @ts-check
'use strict';
const http = require('node:http');
const { runJob } = require('./job.js');

/**
 * Runs the job every `intervalMs`, never two at once; exposes state for the health endpoint.
 * @param {number} intervalMs
 * @param {(now: Date) => Promise<string>} job
 */
function createScheduler(intervalMs, job) {
  const state = { runs: 0, failures: 0, lastRun: /** @type {string | undefined} */ (undefined), lastResult: '' };
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      state.lastResult = await job(new Date());
      state.runs++;
    } catch (err) {
      state.failures++;
      console.error('job failed:', err);
    } finally {
      state.lastRun = new Date().toISOString();
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  return { state, tick, stop: () => clearInterval(timer) };
}

module.exports = { createScheduler };

if (require.main === module) {
  const scheduler = createScheduler(Number(process.env.INTERVAL_SECONDS || {{intervalSeconds}}) * 1000, runJob);
  void scheduler.tick();
  const port = Number(process.env.PORT || 8080);
  const server = http
    .createServer((req, res) => {
      const ok = req.url === '/healthz';
      res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ok ? { status: 'ok', ...scheduler.state } : { error: 'not found' }));
    })
    .listen(port, '127.0.0.1', () => console.log(`{{name}} worker, health on http://127.0.0.1:${port}/healthz`));
  process.on('SIGTERM', () => {
    scheduler.stop();
    server.close(() => process.exit(0));
  });
}
