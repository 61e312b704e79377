/**
 * A deployment event as lines of text. The platform sends a process's output in batches — one `log` event per read,
 * its lines joined with "\n" — so every face (the editor's log, `paved deploy`, the agent tools) shows each line on
 * its own, with the event's prefix: a reader sees "#7 [build] line" for every line, never an unprefixed one.
 */
import type { DeploymentEvent } from '../api/types';

/** Each line of the event's message, behind `prefix` (an empty message is one empty line). */
export function eventLines(ev: Pick<DeploymentEvent, 'message'>, prefix: string): string[] {
  return ev.message.split(/\r?\n/).map((line) => `${prefix}${line}`);
}
