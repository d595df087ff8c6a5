/**
 * Exercise check cells: compare a learner's function with the reference on a few cases and say
 * right or wrong with a hint. Never throws, so an unsolved exercise notebook still runs clean.
 *
 * Dependencies: maxAbsDiff.
 */
import { maxAbsDiff, Numeric, _sci } from "./checks";

function _short(x: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(x) ?? String(x);
  } catch {
    s = String(x);
  }
  return s.length > 80 ? s.slice(0, 77) + "…" : s;
}

/**
 * Run `attempt` and `reference` on every case and print "✓ right: label" when all outputs agree
 * within tol, or "✗ not yet: label — <what differed> — hint: <hint>" otherwise. Never throws.
 * @param label what the exercise asks, e.g. "softmax of each row"
 * @param attempt the learner's function
 * @param reference the correct function (e.g. the module's)
 * @param cases a list of argument lists, e.g. [[[[1, 2]]], [[[0, 0]]]] for a one-argument function
 * @param hint shown when the attempt is wrong
 * @param tol absolute tolerance on every number (default 1e-9)
 * @return true when right
 * @example exercise("double", (x: number) => 2 * x, (x: number) => x + x, [[1], [2]], "multiply by 2") // prints "✓ right: double", returns true
 */
export function exercise<A extends unknown[]>(
  label: string,
  attempt: (...args: A) => unknown,
  reference: (...args: A) => unknown,
  cases: A[],
  hint: string,
  tol = 1e-9,
): boolean {
  const fail = (why: string): false => {
    console.log(`✗ not yet: ${label} — ${why} — hint: ${hint}`);
    return false;
  };
  if (typeof attempt !== "function") return fail("attempt is not a function");
  if (!Array.isArray(cases) || cases.length === 0) return fail("there are no cases to check");
  for (let c = 0; c < cases.length; c++) {
    const args = cases[c];
    const expected = reference(...args);
    let got: unknown;
    try {
      got = attempt(...args);
    } catch (e) {
      return fail(`case ${c + 1}: your function threw "${(e as Error)?.message ?? String(e)}"`);
    }
    if (got === undefined) return fail(`case ${c + 1}: your function returned undefined (missing return?)`);
    try {
      const d = maxAbsDiff(got as Numeric, expected as Numeric, "result");
      if (!(d.maxDiff <= tol)) {
        const at = d.at.length ? ` at [${d.at.join("][")}]` : "";
        return fail(`case ${c + 1}: got ${d.actual}${at} where ${d.expected} was expected (|diff| = ${_sci(d.maxDiff)})`);
      }
    } catch (e) {
      const msg = (e as Error).message.replace(/^✗ result: /, "");
      return fail(`case ${c + 1}: ${msg} (got ${_short(got)})`);
    }
  }
  console.log(`✓ right: ${label}`);
  return true;
}
