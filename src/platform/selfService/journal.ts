/**
 * The record of every deployment a face watches, written before its request is sent: after a restart (a window
 * reload) the same Idempotency-Key re-sends it and its event stream resumes after the last event seen. The face
 * gives the storage (the editor: workspaceState); the journal keeps the rules and orders the writes.
 */
import { readRecords, removeRecord, upsertRecord, type DeploymentRecord } from '../../core/wizard/deploy';

export type { DeploymentRecord } from '../../core/wizard/deploy';

/** Where the records live: read synchronously, written asynchronously (a VS Code Memento fits). */
export interface RecordStorage {
  read(): unknown;
  write(records: DeploymentRecord[]): PromiseLike<void>;
}

/** Records in memory (a face without persistent state; tests). */
export function memoryStorage(): RecordStorage & { records: DeploymentRecord[] } {
  const s = {
    records: [] as DeploymentRecord[],
    read: () => s.records,
    write: async (records: DeploymentRecord[]) => {
      s.records = records;
    },
  };
  return s;
}

export class DeploymentJournal {
  /** Writes happen one after another, in the order asked (a later write never lands before an earlier one). */
  private last: Promise<void> = Promise.resolve();

  constructor(private readonly storage: RecordStorage) {}

  /** The stored records; anything malformed (an older version's state) is dropped. */
  list(): DeploymentRecord[] {
    return readRecords(this.storage.read());
  }

  /** Adds the record, or replaces the one with its key. */
  put(record: DeploymentRecord): Promise<void> {
    return this.change((rs) => upsertRecord(rs, record));
  }

  /** Stores progress (the last seen event) of a record that is still there; a forgotten record is not brought back. */
  progress(record: DeploymentRecord): Promise<void> {
    return this.change((rs) => (rs.some((r) => r.key === record.key) ? upsertRecord(rs, record) : rs));
  }

  forget(key: string): Promise<void> {
    return this.change((rs) => removeRecord(rs, key));
  }

  private change(update: (records: DeploymentRecord[]) => DeploymentRecord[]): Promise<void> {
    const next = this.last.then(() => this.storage.write(update(this.list())));
    this.last = next.then(
      () => undefined,
      () => undefined, // a failed write is the caller's error; the next write still runs
    );
    return next;
  }
}
