import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { erf } from "../../src/blocks/erf";
import { gelu } from "../../src/blocks/activation";
import { layerNorm } from "../../src/minilm/layer-norm";
import { l2Normalize, meanPooling } from "../../src/minilm/pooling";
import { addResidual } from "../../src/minilm/residual";
import { feedForward } from "../../src/minilm/feed-forward";
import { applyHeadMask } from "../../src/minilm/head-mask";
import { MultiHeadAttention } from "../../src/math/multi-head";

// Python's math.erf and torch's F.gelu (float64, exact erf form) at the same points, written by
// scripts/export_minilm_golden.py (`npm run fixtures:minilm-golden`) into test/minilm/fixtures/erf-gelu.json.
const erfGelu = JSON.parse(readFileSync(join(__dirname, "fixtures", "erf-gelu.json"), "utf8")) as {
  generator: Record<string, string>;
  points: { x: number; erf: number; gelu: number }[];
};
const ERF = erfGelu.points.map((p) => [p.x, p.erf]);
const GELU = erfGelu.points.map((p) => [p.x, p.gelu]);

describe("erf(x) and gelu(x) against Python's math.erf and torch's F.gelu", () => {
  it("erf is within 2 ulp-ish (3e-16) of math.erf on every branch (|x| ≤ 0.46875, ≤ 4, > 4, ≥ 6)", () => {
    expect(ERF.length).toBe(24); // the fixture holds every point (an empty list would pass vacuously)
    for (const [x, want] of ERF) expect(Math.abs(erf(x) - want), `erf(${x})`).toBeLessThan(3e-16);
  });
  it("gelu is within 1e-15 of torch.nn.functional.gelu (exact erf form, not tanh)", () => {
    for (const [x, want] of GELU) expect(Math.abs(gelu(x) - want), `gelu(${x})`).toBeLessThan(1e-15);
    // the tanh approximation differs at x = 1 by 1.6e-4 (it would fail the line above)
    const tanhGelu = 0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (1 + 0.044715)));
    expect(Math.abs(tanhGelu - gelu(1))).toBeGreaterThan(1e-5);
  });
  it("erf is odd and increasing (property)", () => {
    fc.assert(fc.property(fc.double({ min: -8, max: 8, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (x, dx) => {
      expect(erf(-x)).toBe(-erf(x));
      expect(erf(x + dx)).toBeGreaterThanOrEqual(erf(x));
    }));
  });
});

describe("layerNorm, residual, pooling", () => {
  it("layerNorm worked by hand: [1, 3] → mean 2, biased variance 1 → [−1, 1]·γ + β", () => {
    const y = layerNorm([[1, 3]], [2, 1], [0.5, 0]);
    const s = 1 / Math.sqrt(1 + 1e-12); // ε = 1e-12 is added to the variance, so ±1 shrink by 5e-13
    expect(y[0][0]).toBeCloseTo(-2 * s + 0.5, 15);
    expect(y[0][1]).toBeCloseTo(s, 15);
    expect(Math.abs(y[0][1] - 1)).toBeGreaterThan(1e-13);
  });
  it("layerNorm rows have mean 0 and variance σ²/(σ² + ε) when γ = 1, β = 0 (property)", () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 2, maxLength: 20 }), (row) => {
      fc.pre(Math.max(...row) - Math.min(...row) > 0.1); // not (nearly) constant rows, where the output is all rounding
      const y = layerNorm([row], row.map(() => 1), row.map(() => 0))[0];
      const m = y.reduce((a, b) => a + b, 0) / y.length;
      const v = y.reduce((a, b) => a + (b - m) ** 2, 0) / y.length;
      const mu = row.reduce((a, b) => a + b, 0) / row.length;
      const s2 = row.reduce((a, b) => a + (b - mu) ** 2, 0) / row.length; // the input's biased variance σ²
      expect(Math.abs(m)).toBeLessThan(1e-12);
      expect(Math.abs(v - s2 / (s2 + 1e-12))).toBeLessThan(1e-12); // ε = 1e-12 shrinks it below 1 by up to 4e-9 here
    }));
  });
  it("errors name the shapes", () => {
    expect(() => layerNorm([[1, 2, 3]], [1, 1], [0, 0])).toThrow("layerNorm x row 0 has 3 columns but 2 were expected");
    expect(() => layerNorm([[1, 2]], [1, 1], [0])).toThrow("layerNorm: gamma has 2 entries but beta has 1");
    expect(() => layerNorm([[1, NaN]], [1, 1], [0, 0])).toThrow("layerNorm x[0][1] is NaN, not a finite number");
    expect(() => addResidual([[1]], [[1], [2]])).toThrow("addResidual: x has 1 rows but out has 2");
    expect(() => meanPooling([])).toThrow("meanPooling: hidden must have at least one row");
  });
  it("meanPooling and l2Normalize: unit length, direction of the mean", () => {
    const e = l2Normalize(meanPooling([[1, 2], [3, 6]]));
    expect(Math.hypot(...e)).toBeCloseTo(1, 15);
    expect(e[1] / e[0]).toBeCloseTo(2, 14);
  });
});

describe("feedForward = GELU(x·W1ᵀ + b1)·W2ᵀ + b2, computed two ways", () => {
  it("matches a plain loop on a 2 × 3 → 4 → 3 example", () => {
    const w1 = [[1, 0, -1], [0.5, 2, 0], [-1, 1, 1], [0, 0, 3]]; // (4, 3)
    const w2 = [[1, -1, 0, 2], [0, 1, 1, -1], [3, 0, 0, 1]]; // (3, 4)
    const b1 = [0.1, -0.2, 0, 0.3];
    const b2 = [1, 0, -1];
    const x = [[0.5, -1, 2], [1, 1, 1]];
    const dense = (w: number[][], b: number[]) => ({ outFeatures: w.length, inFeatures: w[0].length, weight: Float64Array.from(w.flat()), bias: Float64Array.from(b) });
    const r = feedForward(x, { intermediate: dense(w1, b1), output: dense(w2, b2) });
    const hid = x.map((row) => w1.map((wr, j) => gelu(wr.reduce((s, w, p) => s + w * row[p], 0) + b1[j])));
    const out = hid.map((row) => w2.map((wr, j) => wr.reduce((s, w, p) => s + w * row[p], 0) + b2[j]));
    expect(r.intermediate).toEqual(hid);
    r.output.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(out[i][j], 14)));
  });
});

describe("applyHeadMask scales each head as Hugging Face's head_mask", () => {
  const mha = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 3 });
  const x = [[1, 0, 2, 0, 0, 1, 0, 0], [0, 1, 0, 0, 1, 0, 0, -1], [0.5, 0, 0, 1, 0, 0, 2, 0]];
  const t = mha.forward(x);
  it("mask [1, 0]: head 2's weights, output and contribution are zero; output = head 1's contribution + b^O", () => {
    const m = applyHeadMask(t, [1, 0], mha.params.wO, mha.params.bO);
    expect(m.weights[1].flat().every((v) => v === 0)).toBe(true);
    expect(m.weights[0]).toEqual(t.weights[0]);
    m.output.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(t.contributions[0][i][j] + (mha.params.bO as number[])[j], 14)));
  });
  it("all ones returns the trace itself; a wrong length is an error", () => {
    expect(applyHeadMask(t, [1, 1], mha.params.wO, mha.params.bO)).toBe(t);
    expect(() => applyHeadMask(t, [1], mha.params.wO, mha.params.bO)).toThrow("head mask must have one factor per head (2: 1 keeps a head, 0 ablates it), got 1");
  });
});
