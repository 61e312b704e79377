/**
 * The probe history of each service and environment, kept compactly: one JSON row of counts per minute with probes
 * (bucketRow in core/operations), appended to `<state-dir>/health/<service>/<environment>.jsonl` when the minute is
 * over. In memory: the last day as minutes, older history rolled up into hours, nothing older than MAX_DAYS. The file
 * is rewritten in that compact form when it has grown to twice its rows.
 */
import * as path from 'node:path';
import { addProbe, bucketFromRow, bucketRow, emptyBucket, mergeInto, rollUp, type ProbeBucket } from '../../core/operations';
import { Journal } from '../store';

const MINUTE = 60;
const HOUR = 3600;
/** Minutes kept as minutes; older ones become hours. */
const MINUTE_HORIZON_S = 24 * HOUR;
/** History older than this is dropped (the longest SLO window worth measuring). */
export const MAX_DAYS = 90;

export class EnvHistory {
  private minutes: ProbeBucket[] = [];
  private hours: ProbeBucket[] = [];
  private current: ProbeBucket | undefined;
  private readonly journal: Journal<number[]>;
  private rowsInFile = 0;

  constructor(file: string, nowS: number) {
    this.journal = new Journal<number[]>(file);
    const rows = this.journal.readAll();
    this.rowsInFile = rows.length;
    const buckets = rows.map(bucketFromRow).filter((b): b is ProbeBucket => b !== undefined);
    this.place(buckets, nowS);
    if (this.rowsInFile > 2 * (this.minutes.length + this.hours.length) + 100) this.compact();
  }

  /** Records one probe at `atMs`; a minute that is over is appended to the file. */
  record(atMs: number, ok: boolean, latencyMs?: number): void {
    const start = Math.floor(atMs / 1000 / MINUTE) * MINUTE;
    if (this.current && this.current.start !== start) this.flush(start);
    this.current ??= emptyBucket(start, MINUTE);
    addProbe(this.current, ok, latencyMs);
  }

  /** Appends the minute being filled (at shutdown, or when its minute is over); `nowS` ages old minutes into hours. */
  flush(nowS = Number.POSITIVE_INFINITY): void {
    const c = this.current;
    this.current = undefined;
    if (c && c.probes > 0) {
      this.journal.append(bucketRow(c));
      this.rowsInFile++;
      this.minutes.push(c);
    }
    if (Number.isFinite(nowS)) this.age(nowS);
    if (this.rowsInFile > 2 * (this.minutes.length + this.hours.length) + 100) this.compact();
  }

  /** Every bucket from `fromS` (epoch seconds) on, oldest first, the minute being filled included. */
  buckets(fromS = 0): ProbeBucket[] {
    const all = [...this.hours, ...this.minutes, ...(this.current && this.current.probes > 0 ? [this.current] : [])];
    return all.filter((b) => b.start + b.seconds > fromS);
  }

  close(): void {
    this.flush();
    this.journal.close();
  }

  private place(buckets: ProbeBucket[], nowS: number): void {
    const oldest = nowS - MAX_DAYS * 86400;
    const recent = buckets.filter((b) => b.start >= nowS - MINUTE_HORIZON_S && b.seconds === MINUTE);
    const older = buckets.filter((b) => b.start >= oldest && !(b.start >= nowS - MINUTE_HORIZON_S && b.seconds === MINUTE));
    this.minutes = rollUp(recent, MINUTE);
    this.hours = rollUp(older, HOUR);
  }

  private age(nowS: number): void {
    const horizon = nowS - MINUTE_HORIZON_S;
    if (this.minutes.length === 0 || this.minutes[0].start >= horizon) return;
    const old = this.minutes.filter((b) => b.start < horizon);
    this.minutes = this.minutes.filter((b) => b.start >= horizon);
    for (const h of rollUp(old, HOUR)) {
      const same = this.hours.find((x) => x.start === h.start);
      if (same) mergeInto(same, h);
      else this.hours.push(h);
    }
    const oldest = nowS - MAX_DAYS * 86400;
    this.hours = this.hours.filter((h) => h.start >= oldest).sort((a, b) => a.start - b.start);
  }

  private compact(): void {
    const rows = [...this.hours, ...this.minutes].map(bucketRow);
    this.journal.rewrite(rows);
    this.rowsInFile = rows.length;
  }
}

/** The histories of every service and environment, opened on first use. */
export class HealthHistories {
  private readonly open = new Map<string, EnvHistory>();

  /** `dir`: `<state-dir>/health`. */
  constructor(
    private readonly dir: string,
    private readonly now: () => Date,
  ) {}

  of(service: string, environment: string): EnvHistory {
    const key = `${service}/${environment}`;
    let h = this.open.get(key);
    if (!h) {
      h = new EnvHistory(path.join(this.dir, service, `${environment}.jsonl`), Math.floor(this.now().getTime() / 1000));
      this.open.set(key, h);
    }
    return h;
  }

  close(): void {
    for (const h of this.open.values()) h.close();
    this.open.clear();
  }
}
