/**
 * A process's output as deployment events, batched and capped so that a build printing 50k lines neither floods the
 * event journal nor holds the platform: one `log` event per read of the log file (its lines joined with "\n", at most
 * BATCH_LINES lines or BATCH_CHARS characters each), appended without an fsync (the log file has the output too).
 * Per step, the first HEAD_LINES lines (HEAD_CHARS characters) stream as they come; beyond that only the last
 * TAIL_LINES are kept, and when the step ends one line says how many were left out and where the whole output is,
 * followed by those last lines (where a failing build says why). Lines longer than LINE_CHARS are cut.
 */
import type { DeploymentEvent } from '../../core/api/types';
import type { EventLog } from '../events';

export interface OutputLimits {
  headLines: number;
  headChars: number;
  tailLines: number;
  batchLines: number;
  batchChars: number;
  lineChars: number;
}

export const OUTPUT_LIMITS: Readonly<OutputLimits> = { headLines: 500, headChars: 256 * 1024, tailLines: 200, batchLines: 200, batchChars: 64 * 1024, lineChars: 4096 };

export class OutputEvents {
  private shownLines = 0;
  private shownChars = 0;
  private omitted = 0;
  private readonly tail: string[] = [];

  constructor(
    private readonly events: Pick<EventLog<DeploymentEvent>, 'push'>,
    private readonly step: 'build' | 'start',
    /** Where the whole output can be read (said when lines were left out). */
    private readonly whole: string,
    private readonly limits: Readonly<OutputLimits> = OUTPUT_LIMITS,
  ) {}

  /** Lines read from the process's log file since the last call. */
  add(lines: readonly string[]): void {
    const { headLines, headChars, tailLines, lineChars } = this.limits;
    const batch: string[] = [];
    for (const raw of lines) {
      const line = raw.length > lineChars ? `${raw.slice(0, lineChars)} … (${raw.length - lineChars} more characters)` : raw;
      if (this.omitted === 0 && this.shownLines < headLines && this.shownChars + line.length <= headChars) {
        batch.push(line);
        this.shownLines++;
        this.shownChars += line.length + 1;
        continue;
      }
      this.omitted++;
      this.tail.push(line);
      if (this.tail.length > tailLines) this.tail.shift();
    }
    this.emit(batch);
  }

  /** The step ended: says what was left out, then sends the last lines. */
  finish(): void {
    const skipped = this.omitted - this.tail.length;
    if (skipped > 0) {
      this.events.push(
        { type: 'log', step: this.step, stream: 'stdout', message: `… ${skipped} line${skipped === 1 ? '' : 's'} of output not shown here (the first ${this.shownLines} and the last ${this.tail.length} are); the whole output: ${this.whole}` },
        { durable: false },
      );
    }
    this.emit(this.tail.splice(0));
    this.omitted = 0;
  }

  private emit(lines: readonly string[]): void {
    const { batchLines, batchChars } = this.limits;
    let chunk: string[] = [];
    let chars = 0;
    const flush = () => {
      if (chunk.length === 0) return;
      this.events.push({ type: 'log', step: this.step, stream: 'stdout', message: chunk.join('\n') }, { durable: false });
      chunk = [];
      chars = 0;
    };
    for (const line of lines) {
      if (chunk.length >= batchLines || (chunk.length > 0 && chars + line.length > batchChars)) flush();
      chunk.push(line);
      chars += line.length + 1;
    }
    flush();
  }
}
