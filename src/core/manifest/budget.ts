/**
 * The budget of a background lint (the whole workspace at start, or after a settings or policy change): a file above
 * `perFileBytes` is not read, and once `totalBytes` have been linted or `totalMs` have passed the rest waits. A file
 * the user opens, saves, or lints with "Paved: Lint All Manifests" is linted in full; a background lint only says what
 * it skipped. Time comes from an injected clock.
 */
export interface LintBudgetLimits {
  perFileBytes: number;
  totalBytes: number;
  totalMs: number;
}

/** Limits of the background lint: small enough that an untrusted repository cannot stall the editor. */
export const BACKGROUND_LINT_LIMITS: LintBudgetLimits = { perFileBytes: 256 * 1024, totalBytes: 8 * 1024 * 1024, totalMs: 2_000 };

export type SkipReason = 'too-large' | 'over-budget';

export interface Skipped {
  path: string;
  bytes: number;
  reason: SkipReason;
}

export class LintBudget {
  private readonly started: number;
  private bytes = 0;
  readonly skipped: Skipped[] = [];

  constructor(
    readonly limits: LintBudgetLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  /** Whether a file of `bytes` is linted now; when not, it is recorded in `skipped` with the reason. */
  admit(path: string, bytes: number): boolean {
    const reason: SkipReason | undefined =
      bytes > this.limits.perFileBytes ? 'too-large' : this.bytes + bytes > this.limits.totalBytes || this.now() - this.started > this.limits.totalMs ? 'over-budget' : undefined;
    if (reason) {
      this.skipped.push({ path, bytes, reason });
      return false;
    }
    this.bytes += bytes;
    return true;
  }

  /** One sentence for the log and the status bar tooltip, or undefined when nothing was skipped. */
  describe(): string | undefined {
    if (this.skipped.length === 0) return undefined;
    const large = this.skipped.filter((s) => s.reason === 'too-large');
    const later = this.skipped.length - large.length;
    const parts: string[] = [];
    if (large.length > 0) {
      const names = large.slice(0, 3).map((s) => `${s.path} (${kb(s.bytes)})`).join(', ');
      parts.push(`${large.length} manifest${large.length === 1 ? '' : 's'} above ${kb(this.limits.perFileBytes)}: ${names}${large.length > 3 ? ', …' : ''}`);
    }
    if (later > 0) parts.push(`${later} more after the background budget (${kb(this.limits.totalBytes)} or ${this.limits.totalMs / 1000} s) was spent`);
    return `Not linted in the background: ${parts.join('; ')}. Open a file, save it, or run "Paved: Lint All Manifests" to lint it in full.`;
  }
}

function kb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}
