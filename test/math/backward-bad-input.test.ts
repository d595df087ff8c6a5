/**
 * The bad-input table of the backward passes (issue 20): both MultiHeadAttention.backward and fastBackward
 * check the WHOLE trace they are given (every head's q, k, v and weights, concat, output: shapes, finiteness, and
 * each recomputed from the trace's inputs with the layer's weights), the step backwards reject weights that are
 * not a softmax, and the conveniences around them (fromAnnotatedMask's fill, the size budget in bytes, typed-array
 * rows) name what the user passed. Each row asserts the TEXT of the error.
 */
import { describe, expect, it } from "vitest";
import * as m from "../../src/math";
import { fastBackward, fastForward } from "../../src/math/fast";
import type { AttentionTrace, Matrix } from "../../src/math";

const mha = m.MultiHeadAttention.random({ dModel: 8, numHeads: 4, seed: 3 });
const x = [[1, 0.5, 0, -1, 0, 0.2, 0, 1], [0, 1, 0.3, 0, -0.5, 0, 1, 0], [0.2, 0, 1, 0, 0, 1, -0.3, 0]];
const G = x.map((row) => row.map((v, j) => v - 0.1 * j));

/** A fresh trace (readable or fast) with one edit applied; the edit may replace a field or change an entry. */
function edited(fast: boolean, edit: (t: AttentionTrace) => void): AttentionTrace {
  const t = fast ? fastForward(mha, x) : mha.forward(x);
  edit(t);
  return t;
}

/** Swap two entries of row r of a (softmax rows still sum to 1: only the recomputation can catch it). */
function swapInRow(a: Matrix, r: number): void {
  [a[r][0], a[r][1]] = [a[r][1], a[r][0]];
}

const BACKWARDS: [string, (t: AttentionTrace) => unknown, boolean, string][] = [
  ["backward", (t) => mha.backward(t, G), false, "backward"],
  ["fastBackward on a fast trace", (t) => fastBackward(mha, t, G), true, "fastBackward"],
  ["fastBackward on a readable trace", (t) => fastBackward(mha, t, G), false, "fastBackward"],
];

/** [what, the edit, the error text (with WHERE for backward / fastBackward)] */
const TRACE_EDITS: [string, (t: AttentionTrace) => void, string][] = [
  ["NaN in heads[2].weights", (t) => { t.heads[2].weights[1][0] = NaN; }, "trace.heads[2].weights[1][0] is NaN"],
  ["NaN in heads[3].q", (t) => { t.heads[3].q[0][1] = NaN; }, "trace.heads[3].q[0][1] is NaN"],
  ["Infinity in concat", (t) => { t.concat[2][5] = Infinity; }, "trace.concat[2][5] is Infinity"],
  ["heads[2].weights with two entries swapped (rows still sum to 1)", (t) => swapInRow(t.heads[2].weights, 1),
    "WHERE: trace.heads[2].weights (head 3) differs from what this layer computes from the trace's inputs by"],
  ["heads[2].weights scaled (a row sums to 1.5)", (t) => { t.heads[2].weights[0] = t.heads[2].weights[0].map((w) => 1.5 * w); },
    "trace.heads[2].weights (head 3) row 0 sums to 1.5, not 1"],
  ["heads[1].weights with a negative entry", (t) => { t.heads[1].weights[2][0] = -0.25; t.heads[1].weights[2][1] += 0.25; },
    "trace.heads[1].weights (head 2)[2][0] is -0.25, but softmax weights lie in [0, 1]"],
  ["heads[1].q edited", (t) => { t.heads[1].q[2][1] += 0.5; },
    "WHERE: trace.heads[1].q (head 2) differs from what this layer computes from the trace's inputs by"],
  ["heads[3].k edited", (t) => { t.heads[3].k[0][0] -= 1; }, "WHERE: trace.heads[3].k (head 4) differs"],
  ["heads[0].v edited", (t) => { t.heads[0].v[1][1] *= 2; }, "WHERE: trace.heads[0].v (head 1) differs"],
  ["concat edited in head 4's columns", (t) => { t.concat[1][7] += 0.1; }, "WHERE: trace.concat's columns of head 4 differs"],
  ["output edited", (t) => { t.output[0][3] += 1e-3; }, "WHERE: trace.output differs from what this layer computes"],
  ["a head of the wrong shape", (t) => { t.heads[2].weights = t.heads[2].weights.slice(0, 2); }, "trace.heads[2].weights has 2 rows but a head's weights is 3×3 in this layer"],
  ["a head replaced by null", (t) => { (t.heads as unknown[])[1] = null; }, "trace.heads[1] (head 2) must be the head's trace { q, k, v, weights, … }"],
  ["typed-array rows in a head", (t) => { (t.heads[0] as { q: unknown }).q = t.heads[0].q.map((r) => Float64Array.from(r)); }, "trace.heads[0].q must be a 2-D array of numbers, but trace.heads[0].q[0] is a Float64Array of 2"],
];

describe("backward and fastBackward check the whole trace, naming the field and the head", () => {
  for (const [name, call, fast, where] of BACKWARDS) {
    it.each(TRACE_EDITS)(`${name}: %s`, (_what, edit, text) => {
      expect(() => call(edited(fast, edit))).toThrow(text.replace("WHERE", where));
    });
    it(`${name}: an unedited trace passes, and gives backward's gradients`, () => {
      const g = call(edited(fast, () => {}));
      expect(g).toBeTypeOf("object");
    });
  }
});

const WEIGHTS_NOT_SOFTMAX: [string, () => unknown, string][] = [
  ["softmaxRowsBackward, a row summing to 1.1", () => m.softmaxRowsBackward([[0.5, 0.5], [0.5, 0.6]], [[1, 0], [0, 1]]), "a row 1 sums to 1.1, not 1"],
  ["softmaxRowsBackward, a negative weight", () => m.softmaxRowsBackward([[1.2, -0.2]], [[1, 0]]), "a[0][0] is 1.2, but softmax weights lie in [0, 1]"],
  ["softmaxRowsBackward, named arguments", () => m.softmaxRowsBackward([[0.3, 0.3]], [[1, 0]], ["weights", "dWeights"]), "weights row 0 sums to 0.6, not 1"],
  ["scaledDotProductAttentionBackward, rows not summing to 1", () => m.scaledDotProductAttentionBackward([[1]], [[0], [0]], [[1], [3]], [[0.7, 0.7]], [[1]]),
    "weights row 0 sums to 1.4, not 1"],
  ["scaledDotProductAttentionBackward, a negative weight", () => m.scaledDotProductAttentionBackward([[1]], [[0], [0]], [[1], [3]], [[-0.5, 1.5]], [[1]]),
    "weights[0][0] is -0.5, but softmax weights lie in [0, 1]"],
];

const CONVENIENCES: [string, () => unknown, string][] = [
  ["fromAnnotatedMask fill NaN", () => m.fromAnnotatedMask([[1, 0]], NaN), "fill must be a negative number (such as −1e9, or −Infinity), got NaN"],
  ["fromAnnotatedMask fill string", () => m.fromAnnotatedMask([[1, 0]], "-1e9" as never), "fill must be a negative number (such as −1e9, or −Infinity), got the string \"-1e9\""],
  ["fromAnnotatedMask fill +1e9", () => m.fromAnnotatedMask([[1, 0]], 1e9), "fill must be a negative number (such as −1e9, or −Infinity), got 1000000000"],
  ["expandKeyPaddingMask([false, true], 1e8)", () => m.expandKeyPaddingMask([false, true], 1e8),
    "expandKeyPaddingMask(mask, 100000000) would allocate 4.5 GiB, more than the 2.0 GiB mha-lab accepts in one call; use a shorter sequence"],
  ["causalMask(20000) (3.0 GiB of nested booleans)", () => m.causalMask(20000), "causalMask(20000, 20000) would allocate 3.0 GiB"],
  ["forward of a Float64Array", () => mha.forward(new Float64Array(8) as never), "query must be a 2-D array of numbers, got a Float64Array of 8"],
  ["forward of typed-array rows", () => mha.forward([Float64Array.from(x[0])] as never), "query must be a 2-D array of numbers, but query[0] is a Float64Array of 8"],
  ["linear with a typed-array row", () => m.linear([[1, 2], Float32Array.of(3, 4)] as never, [[1], [1]]), "x[1] is a Float32Array of 2, not a row array"],
];

describe("the step backwards reject weights that are not a softmax, naming row and value", () => {
  it.each(WEIGHTS_NOT_SOFTMAX)("%s", (_what, call, text) => {
    expect(call).toThrow(text);
  });
  it("and accept a fully masked (all-zero) row", () => {
    expect(m.softmaxRowsBackward([[0, 0], [0.25, 0.75]], [[1, 2], [1, 0]])[0]).toEqual([0, 0]);
  });
});

describe("masks, sizes and typed arrays: the error names what was passed", () => {
  it.each(CONVENIENCES)("%s", (_what, call, text) => {
    expect(call).toThrow(text);
  });
  it("fromAnnotatedMask still takes −Infinity and the default −1e9", () => {
    expect(m.fromAnnotatedMask([[1, 0]], -Infinity)).toEqual([[0, -Infinity]]);
    expect(m.fromAnnotatedMask([[1, 0]])).toEqual([[0, -1e9]]);
  });
});
