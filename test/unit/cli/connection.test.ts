import * as assert from 'node:assert/strict';
import { DeployTokens } from '../../../src/cli/connection';

describe('paved deploy: the token of the Paved platform a Backstage entity deploys through', () => {
  it('is given only to the platform the user named (trailing slashes do not matter)', () => {
    const tokens = new DeployTokens({ 'deploy-url': 'https://paved.example.com/' }, { PAVED_DEPLOY_TOKEN: ' t0k3n\n' });
    assert.equal(tokens.tokenFor('https://paved.example.com'), 't0k3n');
    assert.equal(tokens.tokenFor('https://paved.example.com///'), 't0k3n');
    assert.equal(tokens.tokenFor('https://evil.example.com'), undefined);
    assert.equal(tokens.tokenFor('https://paved.example.com.evil.example'), undefined);
    assert.doesNotThrow(() => tokens.ensure('https://paved.example.com/', 'why.'));
    assert.throws(() => tokens.ensure('https://evil.example.com', 'x deploys through https://evil.example.com.'), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'unauthorized');
      assert.match(e.message, /--deploy-url names https:\/\/paved\.example\.com: PAVED_DEPLOY_TOKEN is not sent anywhere else/);
      return true;
    });
  });

  it('the flag wins over PAVED_DEPLOY_URL; without a URL or without a token there is none', () => {
    const env = { PAVED_DEPLOY_TOKEN: 't', PAVED_DEPLOY_URL: 'https://a.example.com' };
    assert.equal(new DeployTokens({ 'deploy-url': 'https://b.example.com' }, env).tokenFor('https://a.example.com'), undefined);
    assert.equal(new DeployTokens({}, env).tokenFor('https://a.example.com'), 't');
    assert.equal(new DeployTokens({}, { PAVED_DEPLOY_TOKEN: 't' }).tokenFor('https://a.example.com'), undefined);
    assert.equal(new DeployTokens({}, { PAVED_DEPLOY_URL: 'https://a.example.com', PAVED_DEPLOY_TOKEN: '  ' }).tokenFor('https://a.example.com'), undefined);
    assert.throws(() => new DeployTokens({}, {}).ensure('https://a.example.com/', 'x deploys through https://a.example.com/.'), {
      message:
        'x deploys through https://a.example.com/. To deploy it, set PAVED_DEPLOY_TOKEN to a token of that platform and pass --deploy-url https://a.example.com (or PAVED_DEPLOY_URL); Paved sends that token to that platform only, never the Backstage token.',
    });
  });
});
