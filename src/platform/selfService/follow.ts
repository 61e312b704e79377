/**
 * Following a deployment until it ends: its events in order, each stored as seen (the journal) so that a restart
 * resumes right after the last one; a cancel request sent to the platform when the face's cancel signal fires (the
 * stream goes on until the final state); the outcome as the user is told it.
 */
import type { Deployment, DeploymentEvent } from '../../core/api/types';
import { PavedError, UserCancelledError } from '../../core/errors';
import { describeOutcome, type Outcome } from '../../core/wizard/deploy';
import { FINISHED_DEPLOYMENT_STATES, type PlatformBackend } from '../backend';
import type { DeploymentJournal } from './journal';
import type { AcknowledgedRecord } from './send';

/** What the face shows while a deployment runs. */
export interface DeploymentObserver {
  /**
   * Every event, in order. `replayed`: seen before a restart (seq ≤ the record's last seen event), streamed again
   * only because the face asked to show it again (`from`); it is not stored again.
   */
  event?(event: DeploymentEvent, replayed: boolean): void;
  /** The cancel signal fired: the platform is being asked to cancel. */
  cancelRequested?(): void;
  cancelAnswered?(deployment: Deployment): void;
  cancelFailed?(err: unknown): void;
}

export interface FollowOptions {
  journal?: DeploymentJournal;
  observer?: DeploymentObserver;
  /** Stream from after this seq (default: the record's last seen event); events up to that one arrive as replayed. */
  from?: number;
  /** Stops watching (the window closes): the deployment goes on; what was seen is stored; fails with `cancelled`. */
  stop?: AbortSignal;
  /** Cancels the deployment on the platform (a Cancel button, Ctrl-C). */
  cancel?: AbortSignal;
}

export interface Followed {
  /** The deployment in its final state. */
  deployment: Deployment;
  /** What to tell the user (message, severity, actions). */
  outcome: Outcome;
  /** The cancel signal fired while it ran. */
  cancelRequested: boolean;
}

export async function followDeployment(backend: PlatformBackend, record: AcknowledgedRecord, opts: FollowOptions = {}): Promise<Followed> {
  const { journal, observer = {}, stop, cancel } = opts;
  const { id } = record;
  const seen = record.lastSeq;
  let cancelRequested = false;
  const onCancel = () => {
    cancelRequested = true;
    observer.cancelRequested?.();
    backend.cancelDeployment(id).then(
      (d) => observer.cancelAnswered?.(d),
      (err: unknown) => observer.cancelFailed?.(err),
    );
  };
  if (cancel?.aborted) onCancel();
  else cancel?.addEventListener('abort', onCancel, { once: true });
  let current = record;
  let stored: Promise<void> = Promise.resolve();
  try {
    for await (const ev of backend.deploymentEvents(id, { after: Math.min(opts.from ?? seen, seen), signal: stop })) {
      if (stop?.aborted) throw new UserCancelledError(`stopped watching deployment ${id}`);
      if (ev.seq <= seen) {
        observer.event?.(ev, true);
        continue;
      }
      current = { ...current, lastSeq: ev.seq };
      if (journal) stored = journal.progress(current);
      observer.event?.(ev, false);
    }
  } finally {
    cancel?.removeEventListener('abort', onCancel);
    // Even when watching stops early, the last seen event is stored before this settles.
    await stored;
  }
  const final = await backend.getDeployment(id);
  if (!FINISHED_DEPLOYMENT_STATES.has(final.state)) {
    throw new PavedError('invalid-response', `the event stream of deployment ${id} ended while it is still ${final.state}`);
  }
  await journal?.forget(record.key);
  return { deployment: final, outcome: describeOutcome(final), cancelRequested };
}
