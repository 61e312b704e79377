/**
 * Compliance snapshots for the weekly trend: the counts per team, at most one a day, journaled in the state dir
 * (`insights/compliance.jsonl`). The platform takes one whenever compliance is asked for; a seeded demo history
 * brings its own.
 */
import type { ComplianceSnapshot } from '../../core/insights';
import { Journal } from '../store';

export class ComplianceSnapshots {
  private readonly items: ComplianceSnapshot[] = [];
  private readonly journal: Journal<ComplianceSnapshot>;

  constructor(file: string) {
    this.journal = new Journal(file);
  }

  load(): void {
    this.items.push(...this.journal.readAll());
  }

  all(): readonly ComplianceSnapshot[] {
    return this.items;
  }

  /** Keeps `snap` unless one was already taken on its day (UTC). */
  record(snap: ComplianceSnapshot): void {
    const day = snap.at.slice(0, 10);
    if (this.items.some((s) => s.at.slice(0, 10) === day)) return;
    this.journal.append(snap);
    this.items.push(snap);
  }

  close(): void {
    this.journal.close();
  }
}
