/**
 * Check cells for the notebooks: each prints one "✓ …" line or throws an Error that starts with "✗"; inside
 * checks(label, …) passing checks are quiet and the group prints one line.
 *
 * Dependencies: none.
 */

/** A number or a nested array of numbers of any depth (scalar, vector, matrix, stack of matrices). */
export type Numeric = number | Numeric[];

/** Where two Numeric values differ most: the largest |actual − expected| and its index path. */
export interface MaxDiff {
  /** max |actual − expected| (0 for equal infinities, Infinity when one side is infinite/NaN and the other not) */ maxDiff: number;
  /** index path of the largest difference, e.g. [2, 3] */ at: number[];
  actual: number;
  expected: number;
}

function _shape(x: Numeric): number[] {
  return Array.isArray(x) ? [x.length, ...(x.length > 0 ? _shape(x[0]) : [])] : [];
}

function _fmtShape(s: number[]): string {
  return s.length === 0 ? "a number" : s.join("×");
}

function _walk(a: Numeric, e: Numeric, path: number[], best: MaxDiff, label: string): void {
  if (typeof e === "number" || typeof a === "number") {
    if (typeof e !== "number" || typeof a !== "number") {
      throw new Error(`✗ ${label}: at [${path.join("][")}] actual is ${Array.isArray(a) ? "an array" : typeof a} but expected is ${Array.isArray(e) ? "an array" : typeof e}`);
    }
    const d = a === e ? 0 : Math.abs(a - e); // a === e covers equal infinities
    const diff = Number.isNaN(d) ? Infinity : d;
    if (diff > best.maxDiff || (best.at.length === 0 && Number.isNaN(best.actual))) {
      best.maxDiff = diff;
      best.at = path.slice();
      best.actual = a;
      best.expected = e;
    }
    return;
  }
  if (a.length !== e.length) {
    const where = path.length ? ` at [${path.join("][")}]` : "";
    throw new Error(`✗ ${label}: actual has ${a.length} entries${where} but expected has ${e.length}`);
  }
  for (let i = 0; i < e.length; i++) _walk(a[i], e[i], [...path, i], best, label);
}

/**
 * The largest elementwise difference between two numbers or nested arrays of the same shape.
 *   maxDiff = max_ij |actual_ij − expected_ij|
 * @param actual any shape, e.g. (L, dK)
 * @param expected the same shape as actual
 * @param label names the comparison in the error thrown on a shape mismatch
 * @example maxAbsDiff([[1, 2]], [[1, 2.5]]).maxDiff // returns 0.5
 */
export function maxAbsDiff(actual: Numeric, expected: Numeric, label = "values"): MaxDiff {
  const sa = _shape(actual);
  const se = _shape(expected);
  if (sa.length !== se.length || sa.some((n, i) => n !== se[i])) {
    throw new Error(`✗ ${label}: actual is ${_fmtShape(sa)} but expected is ${_fmtShape(se)}`);
  }
  const best: MaxDiff = { maxDiff: 0, at: [], actual: NaN, expected: NaN };
  _walk(actual, expected, [], best, label);
  return best;
}

/**
 * Print "✓ label" when the condition holds; throw Error("✗ label: detail") otherwise. Returns nothing,
 * so a check cell shows only its ✓ line.
 * @param label what was checked, e.g. "every row of the weights sums to 1"
 * @param condition the result of the check
 * @param detail what went wrong (shown only on failure), e.g. the numbers at fault
 * @example check("dK = dModel / h", 8 / 2 === 4) // prints "✓ dK = dModel / h"
 */
export function check(label: string, condition: boolean, detail?: string): void {
  if (!condition) throw new Error(`✗ ${label}${detail ? `: ${detail}` : ""}`);
  if (_group) _group.count += 1;
  else console.log(`✓ ${label}`);
}

/** The open checks(…) group, if any: passing checks inside it count here instead of printing. */
let _group: { count: number; worst: number } | null = null;

/**
 * Run a cell's routine checks quietly: every check/checkClose inside `body` that passes prints nothing, and the
 * group prints one line at the end, "✓ label (4 checks, max |diff| = 3e-16)". A failing check still throws its
 * own loud "✗ …" error with the numbers, and so does anything else `body` throws.
 * @param label what the checks establish together, e.g. "the two views are the same computation"
 * @param body calls check/checkClose
 * @example checks("arithmetic", () => { check("1 + 1 = 2", 1 + 1 === 2); check("2 · 2 = 4", 2 * 2 === 4); }) // prints "✓ arithmetic (2 checks)"
 */
export function checks(label: string, body: () => void): void {
  const outer = _group;
  const group = { count: 0, worst: -1 };
  _group = group;
  try {
    body();
  } finally {
    _group = outer;
  }
  if (outer) {
    outer.count += group.count;
    outer.worst = Math.max(outer.worst, group.worst);
    return;
  }
  const diff = group.worst >= 0 ? `, max |diff| = ${_sci(group.worst)}` : "";
  console.log(`✓ ${label} (${group.count} check${group.count === 1 ? "" : "s"}${diff})`);
}

/** "3.1e-16" style: 2 significant digits, exponent form for small or large numbers. */
export function _sci(x: number): string {
  if (x === 0) return "0";
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? String(Number(x.toPrecision(2))) : x.toExponential(1);
}

/**
 * A number as a failure message shows it: integers exactly ("288"), others to 6 significant digits
 * ("0.123457", "1.23457e-7"), so a wrong answer is never hidden by rounding (2 digits would print 288 as 290).
 * @example _exact(1 / 3) // returns "0.333333"
 */
export function _exact(x: number): string {
  if (!Number.isFinite(x) || Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(6)));
}

/**
 * Print "✓ label (max |diff| = 3e-16)" when every entry of actual is within tol of expected
 * (same shape required); throw an Error naming the worst entry otherwise. Returns nothing, so a
 * check cell shows only its ✓ line (use maxAbsDiff for the number).
 *   max_ij |actual_ij − expected_ij| ≤ tol
 * @param label what was compared, e.g. "per-head Q_1 equals fused-then-split Q_1"
 * @param actual number or nested array, e.g. (L, dK)
 * @param expected the same shape
 * @param tol absolute tolerance (default 1e-9)
 * @example checkClose("0.1 + 0.2", 0.1 + 0.2, 0.3) // prints "✓ 0.1 + 0.2 (max |diff| = 5.6e-17)"
 */
export function checkClose(label: string, actual: Numeric, expected: Numeric, tol = 1e-9): void {
  const d = maxAbsDiff(actual, expected, label);
  if (!(d.maxDiff <= tol)) {
    const at = d.at.length ? ` at [${d.at.join("][")}]` : "";
    throw new Error(`✗ ${label}: max |diff| = ${_exact(d.maxDiff)}${at} (actual ${d.actual}, expected ${d.expected}) exceeds tol ${_sci(tol)}`);
  }
  if (_group) {
    _group.count += 1;
    _group.worst = Math.max(_group.worst, d.maxDiff);
  } else console.log(`✓ ${label} (max |diff| = ${_sci(d.maxDiff)})`);
}
