/** Near names: the manifest engine's "did you mean" for unknown keys and enum values, and the policies' nearest catalog names. */
/** Levenshtein distance, capped: returns `max + 1` as soon as the distance exceeds `max`. */
export function distance(a: string, b: string, max = 8): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (cur[j] < rowMin) rowMin = cur[j]!;
    }
    if (rowMin > max) return max + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/** The candidate closest to `word` if it is a near miss (case-insensitive match, or a few edits for its length). */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    if (c === word) continue;
    const cl = c.toLowerCase();
    if (cl === lower) return c;
    const limit = Math.max(1, Math.floor(Math.max(c.length, word.length) / 3));
    const d = distance(lower, cl, limit);
    if (d <= limit && d < bestScore) {
      best = c;
      bestScore = d;
    }
  }
  return best;
}

/** Up to `max` candidates nearest to `word` (case-insensitive; each within a few edits for its length), nearest first. */
export function nearestNames(word: string, candidates: Iterable<string>, max: number): string[] {
  const lower = word.toLowerCase();
  const scored: [number, string][] = [];
  for (const c of candidates) {
    if (c === word) continue;
    const cl = c.toLowerCase();
    const limit = Math.max(1, Math.floor(Math.max(c.length, word.length) / 3));
    const d = cl === lower ? 0 : cl.startsWith(lower) || lower.startsWith(cl) ? Math.min(limit, Math.abs(cl.length - lower.length)) : distance(lower, cl, limit);
    if (d <= limit) scored.push([d, c]);
  }
  return scored
    .sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .slice(0, max)
    .map(([, c]) => c);
}
