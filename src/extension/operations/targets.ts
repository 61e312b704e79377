/** What the day-two commands act on (pure, no vscode): the service and environment of a command argument, the URL to open. */
import { serviceFromArg } from '../../core/wizard/deploy';
import { isLoopbackHost } from '../../platform/transport';

/** A service and, optionally, an environment, from whatever a command was given (tree node, string, object). */
export function operateArgs(arg: unknown, env: unknown): { service?: string; environment?: string } {
  const out: { service?: string; environment?: string } = {};
  const service = serviceFromArg(arg);
  if (service) out.service = service;
  if (arg && typeof arg === 'object' && typeof (arg as { environment?: unknown }).environment === 'string') out.environment = (arg as { environment: string }).environment;
  if (typeof env === 'string') out.environment = env;
  return out;
}

/** The URL to open for a running service: http(s) only, and plain http only on loopback. */
export function openableUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  try {
    const u = new URL(raw);
    if (u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname))) return u.toString();
  } catch {
    return undefined;
  }
  return undefined;
}
