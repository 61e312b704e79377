/**
 * Real-format fake credentials for the scanner tests, built at run time from a seeded generator: no token-shaped
 * literal is committed (secret scanners would flag it), and every run gets the same strings.
 */
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const HEX = '0123456789abcdef';
const B64 = ALNUM + '+/';

let seed = 20261204;
function pick(n: number, alphabet: string): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    s += alphabet[seed % alphabet.length];
  }
  return s;
}

/** Joins parts (so that a prefix and its body never stand together in the source). */
const j = (...parts: string[]) => parts.join('');

export function fakeTokens(): Record<string, string> {
  seed = 20261204;
  return {
    stripe: j('sk', '_live_', pick(24, ALNUM)),
    'gcp-api-key': j('AI', 'za', pick(35, ALNUM)),
    'azure-ad-client-secret': j(pick(3, ALNUM), '8', 'Q~', pick(34, ALNUM)),
    'azure-storage-key': j('Account', 'Key=', pick(86, B64), '=='),
    npm: j('np', 'm_', pick(36, ALNUM)),
    'pypi-upload-token': j('py', 'pi-', 'AgEIcHlwaS5vcmc', pick(60, ALNUM)),
    'twilio-api-key': j('S', 'K', pick(32, HEX)),
    sendgrid: j('S', 'G.', pick(22, ALNUM), '.', pick(43, ALNUM)),
    openai: j('sk', '-proj-', pick(58, ALNUM), 'T3Blbk', 'FJ', pick(58, ALNUM)),
    anthropic: j('sk', '-ant-api03-', pick(93, ALNUM), 'AA'),
    basicauth: j('https://deploy', ':', pick(16, ALNUM), '@registry.example.com/v2'),
    github: j('gh', 'p_', pick(36, ALNUM)),
    gitlab: j('gl', 'pat-', pick(20, ALNUM)),
    slack: j('xo', 'xb-', pick(12, '0123456789'), '-', pick(24, ALNUM)),
    aws: j('AK', 'IA', pick(16, UPPER_DIGITS)),
    'aws-secret-access-key': pick(40, B64),
    jwt: j('ey', 'JhbGciOiJIUzI1NiJ9', '.', 'ey', 'J', pick(20, ALNUM), '.', pick(43, ALNUM)),
  };
}

/** A PEM private key block of `lines` base64 lines (the secretlint rule wants a real-looking body). */
export function fakePrivateKey(indent = ''): string {
  seed = 77;
  const body = Array.from({ length: 4 }, (_, i) => indent + (i === 0 ? 'MI' + pick(62, B64) : pick(64, B64)));
  return [`${indent}-----BEGIN RSA ${'PRIVATE'} KEY-----`, ...body, `${indent}-----END RSA ${'PRIVATE'} KEY-----`].join('\n');
}
