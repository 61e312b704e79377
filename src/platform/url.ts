/** The URL rules every connection follows (plain functions: `paved lint` uses them without the HTTP client). */
import { PlatformError } from './errors';


/** 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return m !== null && m.slice(1).every((o) => Number(o) <= 255) && m[1] === '127';
}

/**
 * Validates a platform base URL: absolute http(s), no credentials, no query or fragment, and `https` unless the host
 * is loopback. Throws `invalid-input` with a message naming the setting.
 */
export function parsePlatformUrl(raw: string, setting = 'paved.platform.url'): URL {
  const text = raw.trim();
  if (text === '') throw new PlatformError('invalid-input', `No platform URL is set. Set ${setting}.`, { action: 'open-settings' });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PlatformError('invalid-input', `${setting} is not a valid URL: "${text}".`, { action: 'open-settings' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new PlatformError('invalid-input', `${setting} must be an https URL, not ${url.protocol}.`, { action: 'open-settings' });
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new PlatformError(
      'invalid-input',
      `${setting} must use https for ${url.hostname}: the token would travel unencrypted. http is allowed only for loopback addresses (127.0.0.1, ::1, localhost).`,
      { action: 'open-settings' },
    );
  }
  if (url.username || url.password) {
    throw new PlatformError('invalid-input', `${setting} must not contain a user name or password; Paved sends a bearer token.`, {
      action: 'open-settings',
    });
  }
  if (url.search || url.hash) {
    throw new PlatformError('invalid-input', `${setting} must not contain a query or fragment.`, { action: 'open-settings' });
  }
  return url;
}
