import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { additiveAttention, additiveAttentionBackward } from "../../src/math/additive";
import { causalMask } from "../../src/math/masks";
import { dotAll, numericGrad } from "./_fd";
import { arbMatrix, expectClose, lcg, randMatrix, refMatmul } from "./_helpers";

/** e_ij = Σ_d w_v[d]·tanh(Σ_a q[i][a]·W_q[a][d] + Σ_b k[j][b]·W_k[b][d]), as a direct loop. */
function loopScores(q: number[][], k: number[][], wQ: number[][], wK: number[][], wV: number[]): number[][] {
  return q.map((qi) => k.map((kj) => {
    let e = 0;
    for (let d = 0; d < wV.length; d++) {
      let pre = 0;
      for (let a = 0; a < qi.length; a++) pre += qi[a] * wQ[a][d];
      for (let b = 0; b < kj.length; b++) pre += kj[b] * wK[b][d];
      e += wV[d] * Math.tanh(pre);
    }
    return e;
  }));
}

describe("additiveAttention", () => {
  it("scores tanh(0) = 0 for every key gives uniform weights (doc example)", () => {
    const r = additiveAttention([[0]], [[1], [2]], [[10], [20]], { wQ: [[1]], wK: [[0]], wV: [1] });
    expect(r.scores).toEqual([[0, 0]]);
    expect(r.weights).toEqual([[0.5, 0.5]]);
    expect(r.output).toEqual([[15]]);
  });

  it("a one-unit example by hand: e = tanh(q + k)", () => {
    const r = additiveAttention([[0.5]], [[0], [1]], [[1], [3]], { wQ: [[1]], wK: [[1]], wV: [1] });
    // e_00 = tanh(0.5) ≈ 0.46212, e_01 = tanh(1.5) ≈ 0.90515; weight_01 = 1/(1 + e^(0.46212 − 0.90515)) ≈ 0.60898
    expectClose(r.scores, [[0.46212, 0.90515]], 1e-5);
    expectClose(r.weights, [[0.39102, 0.60898]], 1e-5);
    expectClose(r.output, [[0.39102 * 1 + 0.60898 * 3]], 1e-5);
  });

  it("property: matches a direct loop over (i, j, hidden unit), with and without a mask", () => {
    fc.assert(fc.property(arbMatrix(3, 2), arbMatrix(4, 3), arbMatrix(4, 2), arbMatrix(2, 5), arbMatrix(3, 5), arbMatrix(1, 5),
      (q, k, v, wQ, wK, [wV]) => {
        const e = loopScores(q, k, wQ, wK, wV);
        const r = additiveAttention(q, k, v, { wQ, wK, wV });
        expectClose(r.scores, e, 1e-12);
        const soft = e.map((row) => {
          const ex = row.map(Math.exp);
          const z = ex.reduce((a, b) => a + b, 0);
          return ex.map((x) => x / z);
        });
        expectClose(r.weights, soft, 1e-12);
        const masked = additiveAttention(q, k, v, { wQ, wK, wV }, causalMask(3, 4));
        expect(masked.weights[0]).toEqual([1, 0, 0, 0]);
        expectClose(masked.output[0], v[0], 1e-15);
      }));
  });

  it("errors name the parameter and the shapes", () => {
    const p = { wQ: [[1, 0]], wK: [[1, 0]], wV: [1, 1] };
    expect(() => additiveAttention([[1, 2]], [[1]], [[1]], p)).toThrow("params.wQ has 1 rows but q has 2 columns");
    expect(() => additiveAttention([[1]], [[1]], [[1]], { ...p, wK: [[1, 0, 0]] })).toThrow("params.wK has 3 columns but params.wQ has 2 columns");
    expect(() => additiveAttention([[1]], [[1]], [[1]], { ...p, wV: [1] })).toThrow("params.wV has 1 entries but params.wQ has 2 columns");
    expect(() => additiveAttention([[1]], [[1]], [[1], [2]], p)).toThrow("v has 2 rows but k has 1 rows");
    expect(() => additiveAttention([[1]], [[1]], [[1]], p, causalMask(2))).toThrow("mask is 2×2 but the attention is 1×1");
    expect(() => additiveAttention([[1]], [[1]], [[1]], null as never)).toThrow("params must be { wQ, wK, wV }");
  });

  it("params.wQ, wK null (projections folded in, as inside multi-head attention) equals projecting first", () => {
    fc.assert(fc.property(arbMatrix(3, 2), arbMatrix(4, 3), arbMatrix(4, 2), arbMatrix(2, 5), arbMatrix(3, 5), arbMatrix(1, 5),
      (q, k, v, wQ, wK, [wV]) => {
        const folded = additiveAttention(refMatmul(q, wQ), refMatmul(k, wK), v, { wQ: null, wK: null, wV }, causalMask(3, 4));
        const full = additiveAttention(q, k, v, { wQ, wK, wV }, causalMask(3, 4));
        expectClose(folded.scores, full.scores, 1e-12);
        expectClose(folded.output, full.output, 1e-12);
      }));
  });

  it("additiveAttentionBackward with wQ, wK null: ∂q, ∂k, ∂v, ∂w_v against finite differences; dParams.wQ, wK are null", () => {
    const rand = lcg(22);
    const [q, k, v, G] = [randMatrix(3, 4, rand), randMatrix(5, 4, rand), randMatrix(5, 2, rand), randMatrix(3, 2, rand)];
    const params = { wQ: null, wK: null, wV: randMatrix(1, 4, rand)[0] };
    const mask = causalMask(3, 5);
    const loss = () => dotAll(additiveAttention(q, k, v, params, mask).output, G);
    const g = additiveAttentionBackward(q, k, v, params, additiveAttention(q, k, v, params, mask).weights, G);
    expectClose(g.dQ, numericGrad(q, loss), 1e-7);
    expectClose(g.dK, numericGrad(k, loss), 1e-7);
    expectClose(g.dV, numericGrad(v, loss), 1e-7);
    expectClose(g.dParams.wV, numericGrad(params.wV, loss), 1e-7);
    expect(g.dParams.wQ).toBeNull();
    expect(g.dParams.wK).toBeNull();
  });

  it("errors with folded projections name the widths", () => {
    expect(() => additiveAttention([[1, 2]], [[1]], [[1]], { wQ: null, wK: null, wV: [1, 1] }))
      .toThrow("k has 1 columns but q has 2 columns (params.wQ is null); with params.wK null, k is used as it is");
    expect(() => additiveAttention([[1, 2]], [[1, 2]], [[1]], { wQ: null, wK: null, wV: [1] }))
      .toThrow("params.wV has 1 entries but q has 2 columns (params.wQ is null)");
    expect(() => additiveAttentionBackward([[1]], [[1]], [[1]], { wQ: null, wK: null, wV: [1] }, [[0.5]], [[1]]))
      .toThrow("weights row 0 sums to 0.5, not 1");
  });
});
