import * as assert from 'node:assert/strict';
import { openableUrl, operateArgs } from '../../../../src/extension/operations/targets';
import { environmentMark, environmentWords, liveStateText, worstHealth } from '../../../../src/extension/ui/health';

describe('day two in the editor (pure parts)', () => {
  it('the CodeLens text: environments in promotion order, with the release number', () => {
    assert.equal(
      liveStateText([
        { environment: 'staging', state: 'degraded' },
        { environment: 'local', state: 'healthy', releaseNumber: 7 },
        { environment: 'production', state: 'unknown', releaseNumber: 2 },
      ]),
      'local: healthy r7 · staging: degraded · production: unknown r2',
    );
    assert.equal(liveStateText([]), '');
  });

  it('the worst health wins; marks and words follow health only while running', () => {
    assert.equal(worstHealth({ local: 'healthy', staging: 'degraded' }), 'degraded');
    assert.equal(worstHealth({ local: 'unknown', staging: 'unhealthy' }), 'unhealthy');
    assert.equal(worstHealth({}), undefined);
    assert.equal(worstHealth(undefined), undefined);
    assert.equal(environmentMark('running', 'degraded'), '⚠');
    assert.equal(environmentMark('stopped', 'unhealthy'), '■', 'a stopped release has no health');
    assert.equal(environmentMark('running', undefined), '✓');
    assert.equal(environmentWords('running', 'unhealthy'), 'running, unhealthy');
    assert.equal(environmentWords('failed', undefined), 'failed');
  });

  it('opens https anywhere and http only on this machine', () => {
    assert.equal(openableUrl('http://127.0.0.1:41001/'), 'http://127.0.0.1:41001/');
    assert.equal(openableUrl('http://localhost:8080'), 'http://localhost:8080/');
    assert.equal(openableUrl('https://orders.example.com'), 'https://orders.example.com/');
    assert.equal(openableUrl('http://orders.example.com'), undefined);
    assert.equal(openableUrl('javascript:alert(1)'), undefined);
    assert.equal(openableUrl('file:///etc/passwd'), undefined);
    assert.equal(openableUrl('not a url'), undefined);
    assert.equal(openableUrl(undefined), undefined);
  });

  it('takes the service and environment from a string, an object or a second argument', () => {
    assert.deepEqual(operateArgs('orders', 'local'), { service: 'orders', environment: 'local' });
    assert.deepEqual(operateArgs({ service: 'orders', environment: 'staging' }, undefined), { service: 'orders', environment: 'staging' });
    assert.deepEqual(operateArgs(undefined, undefined), {});
  });
});
