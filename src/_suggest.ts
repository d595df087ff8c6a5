/**
 * Module-private, shared by the math's and the plots' option checks (it imports nothing): "did you mean"
 * for an unknown option key.
 */

/** A key as people misspell it: case, `_`, `-`, `.` and spaces ignored (attn_mask ≈ attnMask). */
export function _normalKey(key: string): string {
  return key.toLowerCase().replace(/[_\-\s.]/g, "");
}

/** Levenshtein distance. */
function _editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/**
 * The known key closest to an unknown one, or null: an alias (keyed by _normalKey) that is known, then the same
 * letters ignoring case and _ - (attn_mask → attnMask), then the nearest at most 2 edits away (casual → causal).
 * @example _suggest("attn_mask", ["attnMask", "causal"], {}) // returns "attnMask"
 */
export function _suggest(key: string, known: string[], aliases: { [normalKey: string]: string }): string | null {
  const n = _normalKey(key);
  const alias = aliases[n];
  if (alias && known.includes(alias) && alias !== key) return alias;
  const same = known.find((k) => _normalKey(k) === n);
  if (same) return same;
  let best: string | null = null;
  let bestD = 3;
  for (const k of known) {
    const dist = _editDistance(n, _normalKey(k));
    if (dist < bestD) [best, bestD] = [k, dist];
  }
  return best;
}
