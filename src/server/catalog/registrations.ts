/**
 * Services registered through the API (`POST /v1/services`), as a journal of puts and deletes replayed at start.
 *
 * 100k registrations must fit in little memory, so the journal is replayed a record at a time and each registration
 * is held as its compact catalog entry only (see StoredEntry): its manifest stays in the journal, read back when
 * asked for.
 */
import { entryFromPavedManifest, type CatalogEntry } from '../../core/catalog';
import { PavedError } from '../../core/errors';
import { Journal, type RecordPlace } from '../store';
import { StoredEntry, type ManifestReader } from './storedEntry';

export interface Registration {
  manifest: Record<string, unknown>;
  sourceDir?: string;
}

type PutOp = { op: 'put'; manifest: Record<string, unknown>; sourceDir?: string; at: string };
type RegistrationOp = PutOp | { op: 'delete'; name: string; at: string };

/** The catalog entry of a registration (throws a CatalogEntryError for a manifest the catalog cannot read). */
export function registeredEntry(reg: Registration): CatalogEntry {
  return entryFromPavedManifest(reg.manifest, { source: 'registered', sourceDir: reg.sourceDir });
}

/** A registration the journal holds but the catalog cannot read: its name and why. */
export interface UnreadableRegistration {
  name: string;
  error: unknown;
}

export class Registrations implements ManifestReader {
  private readonly byName = new Map<string, CatalogEntry>();
  private readonly journal: Journal<RegistrationOp>;

  constructor(
    file: string,
    private readonly now: () => Date,
  ) {
    this.journal = new Journal(file);
  }

  /**
   * Replays the journal: the registrations as they stood when the platform last stopped. Returns those whose
   * manifest the catalog cannot read (they stay out of it).
   */
  load(): UnreadableRegistration[] {
    let unreadable = new Map<string, UnreadableRegistration>();
    const replay = (): { rewritten: boolean } => {
      this.byName.clear();
      unreadable = new Map();
      return this.journal.replay((op, place) => {
        if (op.op !== 'put') {
          this.byName.delete(op.name);
          unreadable.delete(op.name);
          return;
        }
        const name = String((op.manifest as { metadata?: { name?: unknown } } | undefined)?.metadata?.name);
        try {
          this.byName.set(name, this.stored(registeredEntry(op), place));
          unreadable.delete(name);
        } catch (err) {
          this.byName.delete(name);
          unreadable.set(name, { name, error: err });
        }
      });
    };
    // A damaged journal is rewritten with its good records: replay that file, so every place is one in it.
    if (replay().rewritten) replay();
    return [...unreadable.values()];
  }

  /** Every registered service's entry. */
  all(): IterableIterator<CatalogEntry> {
    return this.byName.values();
  }

  get(name: string): CatalogEntry | undefined {
    return this.byName.get(name);
  }

  /** Records the registration of `entry` (made from `reg`); returns the entry the catalog keeps for it. */
  put(entry: CatalogEntry, reg: Registration): CatalogEntry {
    const place = this.journal.append({ op: 'put', manifest: reg.manifest, sourceDir: reg.sourceDir, at: this.now().toISOString() });
    const stored = this.stored(entry, place);
    this.byName.set(entry.name, stored);
    return stored;
  }

  delete(name: string): void {
    this.journal.append({ op: 'delete', name, at: this.now().toISOString() });
    this.byName.delete(name);
  }

  close(): void {
    this.journal.close();
  }

  private stored(entry: CatalogEntry, place: RecordPlace): CatalogEntry {
    return new StoredEntry(entry, this, place.offset, place.length);
  }

  /** The manifest of `name`'s put record at `offset` in the journal. */
  manifestAt(name: string, offset: number, length: number): Record<string, unknown> {
    const op = this.journal.readAt({ offset, length });
    const md = op.op === 'put' ? (op.manifest.metadata as Record<string, unknown> | undefined) : undefined;
    if (md?.name !== name) throw new PavedError('io', `${this.journal.file} changed under the platform: the registration of '${name}' is no longer where it was written`);
    return (op as PutOp).manifest;
  }
}
