/**
 * Exercise check cells: compare a learner's function with the reference on a few cases and say
 * right or wrong with a hint that escalates over wrong attempts; predict-then-reveal cells. Never
 * throws, so an unsolved exercise notebook still runs clean. A stub (an answer still `null`) is
 * "not tried yet" and shows no hint. Labels that start with an id ("03.1 …") record progress.
 *
 * Dependencies: maxAbsDiff, _exact, recordProgress.
 */
import { maxAbsDiff, Numeric, _exact } from "./checks";
import { recordProgress } from "./progress";

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
 * Count a wrong attempt (a new one only when `print`, what it produced, differs from the last wrong attempt's) and
 * print "✗ not yet: label — why — hint k/n: …". The k-th changed wrong attempt sees hint k.
 */
function _wrong(label: string, print: string, why: string, hint: string | string[], change: string): false {
  const hints = Array.isArray(hint) ? hint : [hint];
  const state = _attempts.get(label) ?? { wrong: 0, last: "" };
  if (state.wrong === 0 || print !== state.last) state.wrong += 1;
  state.last = print;
  _attempts.set(label, state);
  const level = Math.min(state.wrong, hints.length);
  const tag = hints.length > 1 ? ` ${level}/${hints.length}` : "";
  const more = level < hints.length ? ` (change your ${change} and run again for the next hint)` : "";
  console.log(`✗ not yet: ${label} — ${why} — hint${tag}: ${hints[level - 1]}${more}`);
  recordProgress(label, "tried");
  return false;
}

function _right(label: string, detail = ""): true {
  _attempts.delete(label);
  console.log(`✓ right: ${label}${detail}`);
  recordProgress(label, "done");
  return true;
}

function _notTried(label: string, what: string): false {
  console.log(`○ not tried yet: ${label} — replace the null (TODO) in the cell above with your ${what}, run it, then run this cell`);
  return false;
}

/**
 * Run `attempt` and `reference` on every case and print "✓ right: label" when all outputs agree
 * within tol, or "✗ not yet: label — <what differed, with the numbers> — hint …" otherwise. Never throws.
 *
 * An attempt that is `null`, or returns `null` on the first case, is the untouched stub: "○ not tried yet", no
 * hint, not counted. Hints escalate: give a list [idea, formula, code] and the first wrong attempt shows the idea,
 * the next changed one the formula, the third the code, so code comes only after two changed wrong attempts. A
 * rerun whose outputs are the same as the last wrong attempt's is not a new attempt; the count lives in this
 * module, which the tslab kernel keeps between cell runs. A single string is shown every time.
 * @param label "NN.k what the exercise asks", e.g. "03.2 softmax of each row"; it keys the attempt count and progress
 * @param attempt the learner's function (or null: not tried)
 * @param reference the correct function (e.g. the module's)
 * @param cases a list of argument lists, e.g. [[[[1, 2]]], [[[0, 0]]]] for a one-argument function; [[]] for a value
 * @param hint one hint, or hints shown one more per wrong attempt ("hint 2/3: …")
 * @param tol absolute tolerance on every number (default 1e-9)
 * @return true when right
 * @example exercise("double", (x) => 2 * x, (x) => x + x, [[1], [2]], "multiply by 2") // returns true
 */
export function exercise<A extends unknown[]>(
  label: string,
  attempt: ((...args: A) => unknown) | null,
  reference: (...args: A) => unknown,
  cases: A[],
  hint: string | string[],
  tol = 1e-9,
): boolean {
  if (attempt === null || attempt === undefined) return _notTried(label, "answer");
  const fail = (why: string): false =>
    _wrong(label, typeof attempt === "function" && Array.isArray(cases) ? _fingerprint(attempt, cases) : why, why, hint, "code");
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
    if (got === null && c === 0) return _notTried(label, "answer");
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
  return _right(label);
}

/**
 * A check for exercises whose answer is a choice judged by a measured number (e.g. "pick h and a learning
 * rate that reach a validation loss ≤ 0.05"): "✓ right: label — <what> = 0.012 ≤ 0.05" or "✗ not yet:
 * label — <what> = 0.297, above the target 0.05 — hint …". Hints escalate as in exercise(): a new wrong
 * attempt is a different measured value. null (no choice made yet) is "○ not tried yet". Never throws.
 * @param label "NN.k what the exercise asks"; it keys the attempt count and progress
 * @param measured the number the learner's choice produced (null: no choice yet; NaN or non-finite counts as wrong)
 * @param target the largest value that passes
 * @param what names the number, e.g. "validation loss"
 * @param hint one hint, or hints shown one more per wrong attempt
 * @return true when measured ≤ target
 * @example reachTarget("small loss", 0.01, 0.05, "loss", "train longer") // returns true
 */
export function reachTarget(label: string, measured: number | null, target: number, what: string, hint: string | string[]): boolean {
  if (measured === null || measured === undefined) return _notTried(label, "choice");
  if (Number.isFinite(measured) && measured <= target) return _right(label, ` — ${what} = ${_exact(measured)} ≤ ${_exact(target)}`);
  return _wrong(label, String(measured), `${what} = ${_exact(measured)}, above the target ${_exact(target)}`, hint, "choice");
}

/**
 * A predict-then-reveal cell: compare the learner's prediction with the computed answer and say why.
 * Strings compare ignoring case and surrounding spaces; numbers within tol. A missing prediction (null) gets
 * "○ not predicted yet" and NOT the answer: nothing is revealed before the learner commits. Making a
 * prediction, right or wrong, records the exercise as done. Never throws.
 * @param question "NN.k what was asked", e.g. "04.1 negate W^Q: which token does 'the' look at most?"
 * @param guess the prediction (null when the learner has not made one)
 * @param answer the value a cell computed
 * @param why one sentence explaining the answer
 * @param tol tolerance for numeric answers (default 1e-9)
 * @return true when the prediction was right
 * @example reveal("1 + 1", 2, 2, "arithmetic") // returns true
 */
export function reveal(question: string, guess: string | number | null | undefined, answer: string | number, why: string, tol = 1e-9): boolean {
  const show = (x: string | number) => (typeof x === "number" ? _exact(x) : JSON.stringify(x));
  if (guess === null || guess === undefined || guess === "") {
    console.log(`○ not predicted yet: ${question} — write your prediction in the cell above (replace null), run it, then run this cell`);
    return false;
  }
  const right = typeof answer === "number"
    ? typeof guess === "number" && Math.abs(guess - answer) <= tol
    : String(guess).trim().toLowerCase() === answer.trim().toLowerCase();
  console.log(right
    ? `✓ predicted right: ${question} — ${show(answer)}. ${why}`
    : `✗ predicted ${show(guess)}: ${question} — the answer is ${show(answer)}. ${why}`);
  recordProgress(question, "done");
  return right;
}
