// Mocha's spec reporter, plus a summary file (test-results/summary-<stage>.json) that `npm test` adds up.
// Plain JavaScript because mocha loads reporters before any TypeScript hook. Stage: --reporter-option stage=NAME.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha');

class PavedReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const stage = (options.reporterOptions && options.reporterOptions.stage) || 'mocha';
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const dir = process.env.PAVED_TEST_RESULTS_DIR || path.resolve(__dirname, '..', '..', 'test-results');
      fs.mkdirSync(dir, { recursive: true });
      const { passes, failures, pending } = runner.stats;
      fs.writeFileSync(path.join(dir, `summary-${stage}.json`), JSON.stringify({ passes, failures, pending }) + '\n');
    });
  }
}

module.exports = PavedReporter;
