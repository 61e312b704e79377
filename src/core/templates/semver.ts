/**
 * Semantic versions (semver.org 2.0.0) compared as numbers, not strings: 1.9.0 < 1.10.0, 1.0.0-rc.1 < 1.0.0, and
 * pre-release identifiers compared field by field (numeric fields numerically, below alphanumeric ones). Pure.
 */
import { PavedError } from '../errors';

const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: string[];
}

/** The parts of `v`, or undefined when it is not a semantic version. */
export function parseVersion(v: string): SemVer | undefined {
  const m = SEMVER.exec(v.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), prerelease: m[4] ? m[4].split('.') : [] };
}

export function isVersion(v: string): boolean {
  return parseVersion(v) !== undefined;
}

function comparePre(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i >= a.length) return -1;
    if (i >= b.length) return 1;
    const x = a[i];
    const y = b[i];
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) {
      const d = Number(x) - Number(y);
      if (d !== 0) return Math.sign(d);
    } else if (xn !== yn) {
      return xn ? -1 : 1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

/** Negative when a < b, 0 when equal (build metadata ignored), positive when a > b. Throws for a non-version. */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) throw new PavedError('invalid-input', `not a semantic version: ${JSON.stringify(!x ? a : b)}`);
  return Math.sign(x.major - y.major) || Math.sign(x.minor - y.minor) || Math.sign(x.patch - y.patch) || comparePre(x.prerelease, y.prerelease);
}

/** Newest first; strings that are not versions are left out. */
export function sortVersionsDescending(versions: readonly string[]): string[] {
  return versions.filter(isVersion).sort((a, b) => compareVersions(b, a));
}

/** The newest of `versions` (pre-releases only when nothing else is there), or undefined. */
export function latestVersion(versions: readonly string[]): string | undefined {
  const sorted = sortVersionsDescending(versions);
  return sorted.find((v) => parseVersion(v)!.prerelease.length === 0) ?? sorted[0];
}

/** Where a service stands against its golden path's newest version. */
export interface GoldenPathDrift {
  template: string;
  current: string;
  /** Undefined when the platform does not know the template (or has no version of it). */
  latest?: string;
  updateAvailable: boolean;
  /** `1.2.0 → 1.3.0`, or the current version alone. */
  text: string;
}

/** Compares a recorded version with the newest one; a recorded version that is not semver never counts as behind. */
export function driftOf(goldenPath: { template: string; version: string }, latest: string | undefined): GoldenPathDrift {
  const current = goldenPath.version;
  const behind = latest !== undefined && isVersion(current) && isVersion(latest) && compareVersions(current, latest) < 0;
  return { template: goldenPath.template, current, ...(latest !== undefined ? { latest } : {}), updateAvailable: behind, text: behind ? `${current} → ${latest}` : current };
}
