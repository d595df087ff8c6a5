/**
 * Our module reproduces real pretrained heads: all-MiniLM-L6-v2 (BERT, 12 heads, dModel 384), fixture from
 * scripts/export_minilm.py. Two ways: a plain-loop float64 reference written here, and MultiHeadAttention.
 * The model ran in float32; we compute in float64 from the same float32 numbers, so the differences are the
 * model's own float32 rounding.
 */
import { afterAll, describe, expect, it } from "vitest";
import { MultiHeadAttention } from "../../src";
import { loadMiniLM, miniLMInfo } from "../../src/minilm/fixture";
import type { MiniLMStateDict } from "../../src/minilm/fixture";

const WEIGHT_TOL = 1e-5;
// attention.output.dense sums 384 float32 products of |x| up to ~10: float32 rounding alone is ~1e-6 there.
const OUTPUT_TOL = 1e-5;

/** Plain loops, straight from nn.MultiheadAttention's definition: y = x·Wᵀ + b, heads are row blocks of W. */
function _referenceMha(x: number[][], sd: MiniLMStateDict, numHeads: number): { weights: number[][][]; output: number[][] } {
  const L = x.length;
  const E = x[0].length;
  const d = E / numHeads;
  const lin = (w: number[][], b: number[], rowStart: number, rows: number) =>
    x.map((xr) => [...Array(rows)].map((_, r) => xr.reduce((a, xv, c) => a + xv * w[rowStart + r][c], b[rowStart + r])));
  const weights: number[][][] = [];
  const concat: number[][] = [...Array(L)].map(() => [] as number[]);
  for (let h = 0; h < numHeads; h++) {
    const q = lin(sd.in_proj_weight, sd.in_proj_bias, h * d, d); // (L, d)
    const k = lin(sd.in_proj_weight, sd.in_proj_bias, E + h * d, d); // (L, d)
    const v = lin(sd.in_proj_weight, sd.in_proj_bias, 2 * E + h * d, d); // (L, d)
    const p = q.map((qi) => {
      const s = k.map((kj) => qi.reduce((a, qv, c) => a + qv * kj[c], 0) / Math.sqrt(d));
      const m = Math.max(...s);
      const e = s.map((z) => Math.exp(z - m));
      const t = e.reduce((a, b) => a + b, 0);
      return e.map((z) => z / t);
    }); // (L, L)
    weights.push(p);
    p.forEach((pi, i) => { for (let c = 0; c < d; c++) concat[i].push(pi.reduce((a, pj, j) => a + pj * v[j][c], 0)); });
  }
  const wo = sd["out_proj.weight"];
  const bo = sd["out_proj.bias"];
  const output = concat.map((ci) => wo.map((row, r) => ci.reduce((a, cv, c) => a + cv * row[c], bo[r]))); // (L, E)
  return { weights, output };
}

const _maxAbsDiff = (a: number[][], b: number[][]) => {
  let m = 0;
  a.forEach((r, i) => r.forEach((v, j) => { m = Math.max(m, Math.abs(v - b[i][j])); }));
  return m;
};

const info = miniLMInfo();
// mathjs forward passes at dModel 384 take about a second each on a busy 2-core machine.
const TIMEOUT = 120_000;
const report: string[] = [];
afterAll(() => console.log("MiniLM reproduction, max abs diff vs the model:\n" + report.join("\n")));

describe.each(info.weightLayers)("MiniLM layer %i", (layer) => {
  const m = loadMiniLM(layer);
  let mha: MultiHeadAttention | null = null;

  it.each(m.sentences.map((s, i) => [i, s.text] as const))("sentence %i (%s): plain-loop reference matches the model", (i) => {
    const s = m.sentences[i];
    const ref = _referenceMha(s.hiddenStates, m.stateDict, m.numHeads);
    const dW = Math.max(...ref.weights.map((w, h) => _maxAbsDiff(w, s.attentions[h])));
    const dO = _maxAbsDiff(ref.output, s.attentionOutput);
    report.push(`  layer ${layer} sentence ${i} loop: weights ${dW.toExponential(2)}, output ${dO.toExponential(2)}`);
    expect(dW).toBeLessThanOrEqual(WEIGHT_TOL);
    expect(dO).toBeLessThanOrEqual(OUTPUT_TOL);
  }, TIMEOUT);

  it.each(m.sentences.map((s, i) => [i, s.text] as const))(
    "sentence %i (%s): MultiHeadAttention.fromTorchStateDict(...).forward gives the model's 12 heads and block output",
    (i) => {
      const s = m.sentences[i];
      mha ??= MultiHeadAttention.fromTorchStateDict(m.stateDict, { numHeads: 12 });
      expect([mha.dModel, mha.numHeads, mha.dK, mha.dV]).toEqual([384, 12, 32, 32]);
      const trace = mha.forward(s.hiddenStates);
      expect(trace.weights.length).toBe(12);
      const perHead = trace.weights.map((w, h) => _maxAbsDiff(w, s.attentions[h]));
      const dW = Math.max(...perHead);
      const dO = _maxAbsDiff(trace.output, s.attentionOutput);
      report.push(`  layer ${layer} sentence ${i} MultiHeadAttention: weights ${dW.toExponential(2)}, output ${dO.toExponential(2)}`);
      expect(dW).toBeLessThanOrEqual(WEIGHT_TOL);
      expect(dO).toBeLessThanOrEqual(OUTPUT_TOL);
    },
    TIMEOUT,
  );
});

describe("the fixture can fail these tests", () => {
  it("swapping head 0's and head 1's query rows moves head 0 far from the model (the comparison has teeth)", () => {
    const m = loadMiniLM(0);
    const s = m.sentences[0];
    const sd: MiniLMStateDict = { ...m.stateDict, in_proj_weight: m.stateDict.in_proj_weight.map((r) => [...r]) };
    for (let r = 0; r < 32; r++) [sd.in_proj_weight[r], sd.in_proj_weight[32 + r]] = [sd.in_proj_weight[32 + r], sd.in_proj_weight[r]];
    const ref = _referenceMha(s.hiddenStates, sd, 12);
    expect(_maxAbsDiff(ref.weights[0], s.attentions[0])).toBeGreaterThan(1e-2);
  });
});
