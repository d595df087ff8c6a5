/**
 * Exercise check cells: compare a learner's function with the reference on a few cases and say
 * right or wrong with a hint that escalates over wrong attempts; predict-then-reveal cells. Never
 * throws, so an unsolved exercise notebook still runs clean.
 *
 * Dependencies: maxAbsDiff, _exact.
 */
import { maxAbsDiff, Numeric, _exact } from "./checks";

function _short(x: unknown, max = 80): string {
  let s: string;
  try {
    s = JSON.stringify(x) ?? String(x);
  } catch {
    s = String(x);
  }
  return s.length > max ? s.slice(0, max - 3) + "…" : s;
}

/** Per exercise label: wrong attempts so far and what the last wrong attempt produced. */
const _attempts = new Map<string, { wrong: number; last: string }>();

/** Forget every exercise's attempt count (a fresh kernel starts at zero; tests call this). */
export function resetExercises(): void {
  _attempts.clear();
}

/** What a wrong attempt produced on every case, so rerunning the same code is not a new attempt. */
function _fingerprint<A extends unknown[]>(attempt: (...args: A) => unknown, cases: A[]): string {
  const outs = cases.map((args) => {
    try {
      return _short(attempt(...args), 400);
    } catch (e) {
      return `threw ${(e as Error)?.message ?? String(e)}`;
    }
  });
  return outs.join("|");
}

/**
 * Run `attempt` and `reference` on every case and print "✓ right: label" when all outputs agree
 * within tol, or "✗ not yet: label — <what differed, with the numbers> — hint …" otherwise. Never throws.
 *
 * Hints escalate: give a list [concept, formula, code] and the first wrong attempt shows the concept,
 * the next one the formula, then the code. A rerun whose outputs are the same as the last wrong
 * attempt's is not a new attempt (rerunning does not reveal the answer); the count lives in this
 * module, which the tslab kernel keeps between cell runs. A single string is shown every time.
 * @param label what the exercise asks, e.g. "softmax of each row"; it also keys the attempt count
 * @param attempt the learner's function
 * @param reference the correct function (e.g. the module's)
 * @param cases a list of argument lists, e.g. [[[[1, 2]]], [[[0, 0]]]] for a one-argument function
 * @param hint one hint, or hints shown one more per wrong attempt ("hint 2/3: …")
 * @param tol absolute tolerance on every number (default 1e-9)
 * @return true when right
 * @example exercise("double", (x) => 2 * x, (x) => x + x, [[1], [2]], "multiply by 2") // returns true
 */
export function exercise<A extends unknown[]>(
  label: string,
  attempt: (...args: A) => unknown,
  reference: (...args: A) => unknown,
  cases: A[],
  hint: string | string[],
  tol = 1e-9,
): boolean {
  const hints = Array.isArray(hint) ? hint : [hint];
  const fail = (why: string): false => {
    const state = _attempts.get(label) ?? { wrong: 0, last: "" };
    const print = typeof attempt === "function" && Array.isArray(cases) ? _fingerprint(attempt, cases) : why;
    if (state.wrong === 0 || print !== state.last) state.wrong += 1;
    state.last = print;
    _attempts.set(label, state);
    const level = Math.min(state.wrong, hints.length);
    const tag = hints.length > 1 ? ` ${level}/${hints.length}` : "";
    const more = level < hints.length ? " (change your code and run again for the next hint)" : "";
    console.log(`✗ not yet: ${label} — ${why} — hint${tag}: ${hints[level - 1]}${more}`);
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
        return fail(`case ${c + 1}: got ${d.actual}${at} where ${d.expected} was expected (|diff| = ${_exact(d.maxDiff)})`);
      }
    } catch (e) {
      const msg = (e as Error).message.replace(/^✗ result: /, "");
      return fail(`case ${c + 1}: ${msg} (got ${_short(got)})`);
    }
  }
  _attempts.delete(label);
  console.log(`✓ right: ${label}`);
  return true;
}

/**
 * A check for exercises whose answer is a choice judged by a measured number (e.g. "pick h and a learning
 * rate that reach a validation loss ≤ 0.05"): "✓ right: label — <what> = 0.012 ≤ 0.05" or "✗ not yet:
 * label — <what> = 0.297, above the target 0.05 — hint …". Hints escalate as in exercise(): a new wrong
 * attempt is a different measured value. Never throws.
 * @param label what the exercise asks; it also keys the attempt count
 * @param measured the number the learner's choice produced (NaN or non-finite counts as wrong)
 * @param target the largest value that passes
 * @param what names the number, e.g. "validation loss"
 * @param hint one hint, or hints shown one more per wrong attempt
 * @return true when measured ≤ target
 * @example reachTarget("small loss", 0.01, 0.05, "loss", "train longer") // returns true
 */
export function reachTarget(label: string, measured: number, target: number, what: string, hint: string | string[]): boolean {
  const ok = Number.isFinite(measured) && measured <= target;
  if (ok) {
    _attempts.delete(label);
    console.log(`✓ right: ${label} — ${what} = ${_exact(measured)} ≤ ${_exact(target)}`);
    return true;
  }
  const hints = Array.isArray(hint) ? hint : [hint];
  const state = _attempts.get(label) ?? { wrong: 0, last: "" };
  const print = String(measured);
  if (state.wrong === 0 || print !== state.last) state.wrong += 1;
  state.last = print;
  _attempts.set(label, state);
  const level = Math.min(state.wrong, hints.length);
  const tag = hints.length > 1 ? ` ${level}/${hints.length}` : "";
  const more = level < hints.length ? " (change your choice and run again for the next hint)" : "";
  console.log(`✗ not yet: ${label} — ${what} = ${_exact(measured)}, above the target ${_exact(target)} — hint${tag}: ${hints[level - 1]}${more}`);
  return false;
}

/**
 * A predict-then-reveal cell: compare the learner's prediction with the computed answer and say why.
 * Strings compare ignoring case and surrounding spaces; numbers within tol. Never throws.
 * @param question what was asked, e.g. "negate W^Q: which token does 'the' look at most?"
 * @param guess the prediction (null when the learner skipped it)
 * @param answer the value a cell computed
 * @param why one sentence explaining the answer
 * @param tol tolerance for numeric answers (default 1e-9)
 * @return true when the prediction was right
 * @example reveal("1 + 1", 2, 2, "arithmetic") // returns true
 */
export function reveal(question: string, guess: string | number | null | undefined, answer: string | number, why: string, tol = 1e-9): boolean {
  const show = (x: string | number) => (typeof x === "number" ? _exact(x) : JSON.stringify(x));
  if (guess === null || guess === undefined || guess === "") {
    console.log(`? ${question} — you made no prediction; the answer is ${show(answer)}. ${why}`);
    return false;
  }
  const right = typeof answer === "number"
    ? typeof guess === "number" && Math.abs(guess - answer) <= tol
    : String(guess).trim().toLowerCase() === answer.trim().toLowerCase();
  console.log(right
    ? `✓ predicted right: ${question} — ${show(answer)}. ${why}`
    : `✗ ${question} — you predicted ${show(guess)}, the answer is ${show(answer)}. ${why}`);
  return right;
}
