/**
 * Whether the code running now was started by the user — a command they ran (the one command wrapper marks it), while
 * that command runs — or by the editor on its own (a view filling itself, a poll, a listener of a connection change,
 * or a loop a command started that outlives it). The connection uses it to keep a local platform the user stopped
 * stopped until the user asks for something that needs it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

interface Action {
  id: string;
  /** The command returned: what it left running (timers, follows, listeners) is no longer the user's asking. */
  ended: boolean;
}

const storage = new AsyncLocalStorage<Action>();

/** Runs `fn` as the user's action `id` (a command id): what it awaits counts as asked for until it settles. */
export async function asUserAction<T>(id: string, fn: () => T | Promise<T>): Promise<T> {
  const action: Action = { id, ended: false };
  try {
    return await storage.run(action, fn);
  } finally {
    action.ended = true;
  }
}

/** Runs `fn` outside any user action: what it starts (events it fires, listeners they call) was not asked for. */
export function notAsUserAction<T>(fn: () => T): T {
  return storage.exit(fn);
}

/** The command the code running now belongs to while it runs, or undefined when the editor runs it on its own. */
export function currentUserAction(): string | undefined {
  const action = storage.getStore();
  return action && !action.ended ? action.id : undefined;
}
