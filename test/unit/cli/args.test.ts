import * as assert from 'node:assert/strict';
import { integerOption, parseCommandLine, UsageError } from '../../../src/cli/args';

const SPEC = { env: { type: 'string' }, set: { type: 'string', multiple: true }, json: { type: 'boolean' } } as const;

function usageError(args: string[]): string {
  try {
    parseCommandLine(args, SPEC);
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    return err.message;
  }
  return 'no error';
}

describe('paved command-line parser (node:util parseArgs behind one usage error)', () => {
  it('reads values, inline values, booleans, repeatable options, positionals and the -- terminator', () => {
    const { values, positionals } = parseCommandLine(['svc', '--env', 'local', '--set=a=1', '--set', 'b=2', '--json', '--', '--not-an-option'], SPEC);
    assert.deepEqual(values, { env: 'local', set: ['a=1', 'b=2'], json: true });
    assert.deepEqual(positionals, ['svc', '--not-an-option']);
    assert.deepEqual(parseCommandLine(['--env=--odd'], SPEC).values, { env: '--odd' }, 'an inline value may start with dashes');
  });

  it('says what is wrong, naming the option as typed', () => {
    assert.equal(usageError(['--colour']), "unknown option '--colour'");
    assert.equal(usageError(['-x']), "unknown option '-x'");
    assert.equal(usageError(['--env']), '--env needs a value');
    assert.equal(usageError(['--env', '--json']), '--env needs a value');
    assert.equal(usageError(['--json=yes']), '--json takes no value');
    assert.equal(usageError(['--env', 'a', '--env', 'b']), '--env given twice');
    assert.equal(usageError(['--toString']), "unknown option '--toString'", 'no option comes from the object prototype');
  });

  it('checks integer options with the rule in the message', () => {
    assert.equal(integerOption('port', '8080', 0, 65535), 8080);
    assert.throws(() => integerOption('port', '70000', 0, 65535), { message: "--port must be an integer from 0 to 65535, not '70000'" });
    assert.throws(() => integerOption('limit', '0', 1, undefined, 'a positive integer'), { message: "--limit must be a positive integer, not '0'" });
    assert.throws(() => integerOption('limit', '1.5', 1, undefined, 'a positive integer'), UsageError);
    assert.throws(() => integerOption('max-warnings', 'ten', 0, undefined, 'a whole number'), { message: "--max-warnings must be a whole number, not 'ten'" });
  });
});
