/**
 * Whether the code running now was started by the user — a command they ran (the one command wrapper marks it) — or
 * by the editor on its own (a view filling itself, a poll, a listener of a connection change). The connection uses it
 * to keep a local platform the user stopped stopped until the user asks for something that needs it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const storage = new AsyncLocalStorage<string>();

/** Runs `fn` as the user's action `id` (a command id): everything it awaits, and what that starts, counts as asked for. */
export function asUserAction<T>(id: string, fn: () => T): T {
  return storage.run(id, fn);
}

/** Runs `fn` outside any user action: what it starts (events it fires, listeners they call) was not asked for. */
export function notAsUserAction<T>(fn: () => T): T {
  return storage.exit(fn);
}

/** The command the code running now belongs to, or undefined when the editor runs it on its own. */
export function currentUserAction(): string | undefined {
  return storage.getStore();
}
