'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { createScheduler } = require('../src/worker.js');
const { runJob } = require('../src/job.js');

test('the job reports its run', async () => {
  assert.equal(await runJob(new Date('2026-01-02T03:04:05Z')), '{{name}} ran at 2026-01-02T03:04:05.000Z');
});

test('a failing job is counted and the scheduler keeps going', async () => {
  let calls = 0;
  const s = createScheduler(3600_000, async () => {
    calls++;
    if (calls === 1) throw new Error('boom');
    return 'ok';
  });
  try {
    await s.tick();
    await s.tick();
    assert.deepEqual({ runs: s.state.runs, failures: s.state.failures, lastResult: s.state.lastResult }, { runs: 1, failures: 1, lastResult: 'ok' });
  } finally {
    s.stop();
  }
});
