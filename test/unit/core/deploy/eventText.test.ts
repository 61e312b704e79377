import * as assert from 'node:assert/strict';
import { eventLines } from '../../../../src/core/deploy';

describe('core/deploy eventLines', () => {
  it('gives each line of a batched log event its own prefix', () => {
    assert.deepEqual(eventLines({ message: 'build line 1\nbuild line 2\r\nwaiting' }, '#4 [build] '), ['#4 [build] build line 1', '#4 [build] build line 2', '#4 [build] waiting']);
  });

  it('keeps a one-line message one line, and an empty message one empty line', () => {
    assert.deepEqual(eventLines({ message: 'state → building' }, '#1 '), ['#1 state → building']);
    assert.deepEqual(eventLines({ message: '' }, '#2 [build] '), ['#2 [build] ']);
  });
});
