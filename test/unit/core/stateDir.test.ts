import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { defaultLocalStateDir } from '../../../src/platform/local';
import { defaultStateDir } from '../../../src/core/stateDir';

describe('core: the default state directory shared by paved serve, the CLI and the extension', () => {
  const cases: [NodeJS.ProcessEnv, string][] = [
    [{ PAVED_STATE_DIR: '/tmp/throwaway/state', XDG_STATE_HOME: '/x/state' }, '/tmp/throwaway/state'],
    [{ PAVED_STATE_DIR: '  ', XDG_STATE_HOME: '/x/state' }, path.join('/x/state', 'paved')],
    [{ XDG_STATE_HOME: '/x/state' }, path.join('/x/state', 'paved')],
    [{ XDG_STATE_HOME: '' }, path.join('/home/u', '.local', 'state', 'paved')],
    [{}, path.join('/home/u', '.local', 'state', 'paved')],
  ];
  for (const [env, expected] of cases) {
    it(`${JSON.stringify(env)} → ${expected}`, () => {
      assert.equal(defaultStateDir(env, '/home/u'), expected);
      assert.equal(defaultLocalStateDir(env, '/home/u'), expected, 'the client side resolves the same directory');
    });
  }

  it('a relative PAVED_STATE_DIR is taken from the current directory', () => {
    assert.equal(defaultStateDir({ PAVED_STATE_DIR: 'state' }, '/home/u'), path.resolve('state'));
  });
});
