import * as assert from 'node:assert/strict';
import { LintBudget } from '../../../../src/core/manifest/budget';

describe('manifest lint: the background budget', () => {
  const limits = { perFileBytes: 1000, totalBytes: 2500, totalMs: 100 };

  it('admits small files until the byte budget is spent, and skips a file above the per-file limit', () => {
    const b = new LintBudget(limits, () => 0);
    assert.equal(b.admit('a/paved.yaml', 900), true);
    assert.equal(b.admit('big/paved.yaml', 14_000_000), false);
    assert.equal(b.admit('b/paved.yaml', 900), true);
    assert.equal(b.admit('c/paved.yaml', 900), false);
    assert.equal(b.admit('d/paved.yaml', 500), true);
    assert.deepEqual(b.skipped, [
      { path: 'big/paved.yaml', bytes: 14_000_000, reason: 'too-large' },
      { path: 'c/paved.yaml', bytes: 900, reason: 'over-budget' },
    ]);
  });

  it('stops admitting once the time budget has passed (injected clock)', () => {
    let t = 0;
    const b = new LintBudget(limits, () => t);
    assert.equal(b.admit('a/paved.yaml', 10), true);
    t = 101;
    assert.equal(b.admit('b/paved.yaml', 10), false);
    assert.equal(b.skipped[0].reason, 'over-budget');
  });

  it('says what it skipped, naming the large files and what opens them in full', () => {
    const b = new LintBudget(limits, () => 0);
    assert.equal(b.describe(), undefined);
    b.admit('big/paved.yaml', 14 * 1024 * 1024);
    for (const name of ['a', 'b', 'c']) b.admit(`${name}/paved.yaml`, 900);
    const text = b.describe()!;
    assert.match(text, /1 manifest above 1 KB: big\/paved\.yaml \(14\.0 MB\)/);
    assert.match(text, /1 more after the background budget/);
    assert.match(text, /Lint All Manifests/);
  });
});
