import * as assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { asUserAction, currentUserAction, notAsUserAction } from '../../../src/extension/userAction';

describe('extension/userAction: what the user asked for, and what the editor does on its own', () => {
  it('is the command through everything it awaits, and nothing outside it', async () => {
    assert.equal(currentUserAction(), undefined);
    const seen = await asUserAction('paved.deploy', async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const inner = await Promise.resolve().then(() => currentUserAction());
      return [currentUserAction(), inner];
    });
    assert.deepEqual(seen, ['paved.deploy', 'paved.deploy']);
    assert.equal(currentUserAction(), undefined);
  });

  it('listeners of an event fired outside the user action (a stop) do not count as asked for', () => {
    const changed = new EventEmitter();
    const heard: (string | undefined)[] = [];
    changed.on('change', () => heard.push(currentUserAction()));
    asUserAction('paved.stopLocalPlatform', () => {
      changed.emit('change');
      notAsUserAction(() => changed.emit('change'));
    });
    assert.deepEqual(heard, ['paved.stopLocalPlatform', undefined]);
  });
});
