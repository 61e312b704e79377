/**
 * Services registered through the API (`POST /v1/services`), as a journal of puts and deletes replayed at start.
 */
import { entryFromPavedManifest, type CatalogEntry } from '../../core/catalog';
import { Journal } from '../store';

export interface Registration {
  manifest: Record<string, unknown>;
  sourceDir?: string;
}

type RegistrationOp = { op: 'put'; manifest: Record<string, unknown>; sourceDir?: string; at: string } | { op: 'delete'; name: string; at: string };

/** The catalog entry of a registration (throws a CatalogEntryError for a manifest the catalog cannot read). */
export function registeredEntry(reg: Registration): CatalogEntry {
  return entryFromPavedManifest(reg.manifest, { source: 'registered', sourceDir: reg.sourceDir });
}

export class Registrations {
  private readonly byName = new Map<string, Registration>();
  private readonly journal: Journal<RegistrationOp>;

  constructor(
    file: string,
    private readonly now: () => Date,
  ) {
    this.journal = new Journal(file);
  }

  /** Replays the journal: the registrations as they stood when the platform last stopped. */
  load(): void {
    for (const op of this.journal.readAll()) {
      if (op.op === 'put') {
        const name = String((op.manifest.metadata as Record<string, unknown>).name);
        this.byName.set(name, { manifest: op.manifest, sourceDir: op.sourceDir });
      } else this.byName.delete(op.name);
    }
  }

  all(): IterableIterator<Registration> {
    return this.byName.values();
  }

  get(name: string): Registration | undefined {
    return this.byName.get(name);
  }

  put(name: string, reg: Registration): void {
    this.journal.append({ op: 'put', manifest: reg.manifest, sourceDir: reg.sourceDir, at: this.now().toISOString() });
    this.byName.set(name, reg);
  }

  delete(name: string): void {
    this.journal.append({ op: 'delete', name, at: this.now().toISOString() });
    this.byName.delete(name);
  }

  close(): void {
    this.journal.close();
  }
}
