// @ts-check
'use strict';

/**
 * The job: one run. Replace the body with the real work; return a short summary.
 * @param {Date} now
 * @returns {Promise<string>}
 */
async function runJob(now) {
  return `{{name}} ran at ${now.toISOString()}`;
}

module.exports = { runJob };
