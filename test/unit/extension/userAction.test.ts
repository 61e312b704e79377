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

  it('listeners of an event fired outside the user action (a stop) do not count as asked for', async () => {
    const changed = new EventEmitter();
    const heard: (string | undefined)[] = [];
    changed.on('change', () => heard.push(currentUserAction()));
    await asUserAction('paved.stopLocalPlatform', () => {
      changed.emit('change');
      notAsUserAction(() => changed.emit('change'));
    });
    assert.deepEqual(heard, ['paved.stopLocalPlatform', undefined]);
  });

  it('a loop a command started is the user\'s only while the command runs: after it returned, its timers are not', async () => {
    const seen: (string | undefined)[] = [];
    let tick: () => void = () => undefined;
    const ticked = () => new Promise<void>((resolve) => (tick = resolve));
    let timer: NodeJS.Timeout | undefined;
    let first = ticked();
    await asUserAction('paved.deploy', async () => {
      timer = setInterval(() => {
        seen.push(currentUserAction());
        tick();
      }, 1);
      await first;
    });
    first = ticked();
    await first;
    clearInterval(timer);
    assert.equal(seen[0], 'paved.deploy', 'while the command runs');
    assert.equal(seen.at(-1), undefined, 'after it returned');
  });

  it('a command that fails ends its action too', async () => {
    let afterEnd: Promise<string | undefined> | undefined;
    let ended: () => void = () => undefined;
    const commandEnded = new Promise<void>((resolve) => (ended = resolve));
    await assert.rejects(
      asUserAction('paved.newService', async () => {
        // A continuation of the command's context that runs once the command has failed.
        afterEnd = commandEnded.then(() => currentUserAction());
        await Promise.resolve();
        throw new Error('refused');
      }),
      /refused/,
    );
    ended();
    assert.equal(await afterEnd, undefined);
  });
});
