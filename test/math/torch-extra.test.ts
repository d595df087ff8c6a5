/**
 * PyTorch fixtures beyond nn.MultiheadAttention (scripts/golden.py → test/fixtures/torch-extra/):
 *   - grouped-query attention (numKVHeads < numHeads) against F.scaled_dot_product_attention(enable_gqa=True);
 *   - the README's module example (issue 27 item 6): its first output row, as the README prints it, from PyTorch.
 * Plus GQA's own invariants: numKVHeads = numHeads is today's layer, fast = readable, backward = finite differences.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { causalMask, MultiHeadAttention } from "../../src/math";
import { fastBackward, fastForward } from "../../src/math/fast";
import type { Matrix, MhaParams } from "../../src/math";
import { dotAll, maxAbsDiff, numericGrad } from "./_fd";

const DIR = join(__dirname, "..", "fixtures", "torch-extra");
const read = (name: string) => JSON.parse(readFileSync(join(DIR, `${name}.json`), "utf8"));

interface GqaFixture {
  name: string;
  numHeads: number;
  numKVHeads: number;
  causal: boolean;
  keyPaddingMask: boolean[] | null;
  params: MhaParams;
  query: Matrix;
  key: Matrix;
  value: Matrix;
  output: Matrix;
  weights: Matrix[];
}

const gqa: GqaFixture[] = readdirSync(DIR).filter((f) => f.startsWith("gqa_")).map((f) => read(f.replace(/\.json$/, "")));

/** The largest |a − b| over nested arrays and objects of the same shape (numbers compared, other values equal). */
function deepMax(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a === b ? 0 : Math.abs(a - b);
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
    const keys = Object.keys(a);
    expect(Object.keys(b).sort()).toEqual([...keys].sort());
    return keys.reduce((m, k) => Math.max(m, deepMax((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])), 0);
  }
  expect(a).toEqual(b);
  return 0;
}

describe("grouped-query attention against PyTorch's F.scaled_dot_product_attention(enable_gqa=True)", () => {
  it("has the four cases golden.py writes", () => {
    expect(gqa.map((f) => f.name).sort()).toEqual(["gqa_cross_padding", "gqa_equal_heads", "gqa_h4_kv2", "gqa_mqa_causal"]);
  });
  for (const f of gqa) {
    it(`${f.name}: output and weights, both paths, to 1e-12`, () => {
      const mha = new MultiHeadAttention(f.params, f.numHeads, f.numKVHeads);
      const options = { causal: f.causal, ...(f.keyPaddingMask ? { keyPaddingMask: f.keyPaddingMask } : {}) };
      const readable = mha.forward(f.query, f.key, f.value, options);
      const fast = fastForward(mha, f.query, f.key, f.value, options);
      for (const t of [readable, fast]) {
        expect(deepMax(t.output, f.output)).toBeLessThan(1e-12);
        expect(deepMax(t.weights, f.weights)).toBeLessThan(1e-12);
        expect(t.numKVHeads).toBe(f.numKVHeads);
      }
      expect(deepMax(fast, readable)).toBeLessThanOrEqual(1e-12);
    });
  }
});

describe("numKVHeads", () => {
  it("= numHeads (the default) is today's layer: the same weights, the same trace", () => {
    const a = MultiHeadAttention.random({ dModel: 8, numHeads: 4, seed: 5 });
    const b = MultiHeadAttention.random({ dModel: 8, numHeads: 4, seed: 5, numKVHeads: 4 });
    expect(b.params).toEqual(a.params);
    const x = [[1, 2, 0, 0, 1, 0, 0, 3], [0, 1, 0, 2, 0, 0, 1, 0], [1, 1, 1, 1, 0, 0, 0, 0]];
    expect(b.forward(x, { causal: true })).toEqual(a.forward(x, { causal: true }));
  });

  it("shares key/value heads: query heads 0, 1 read key head 0 and heads 2, 3 read key head 1 (llama's repeat_kv)", () => {
    const mha = MultiHeadAttention.random({ dModel: 8, numHeads: 4, seed: 2, numKVHeads: 2 });
    expect([mha.params.wK[0].length, mha.params.wV[0].length, mha.params.bK!.length]).toEqual([4, 4, 4]);
    const t = mha.forward([[1, 0, 0, 0, 0, 0, 0, 1], [0, 1, 1, 0, 0, 1, 0, 0]]);
    expect(t.heads[0].k).toBe(t.heads[1].k);
    expect(t.heads[2].v).toBe(t.heads[3].v);
    expect(t.heads[1].k).not.toEqual(t.heads[2].k);
  });

  it("backward (both paths) equals central finite differences of forward, for every input and parameter", () => {
    const mha = MultiHeadAttention.random({ dModel: 6, numHeads: 3, seed: 4, numKVHeads: 1 });
    const p = { ...mha.params, bK: [0.1, -0.2], bV: [0.3, 0.05], bQ: [0.1, 0, 0, 0.2, 0, -0.1], bO: [0, 0.1, 0, 0, 0, 0.2] };
    const layer = new MultiHeadAttention(p, 3, 1);
    const q = [[0.5, -1, 0.2, 0, 1, 0.3], [0.1, 0.2, -0.4, 0.9, 0, -0.5]];
    const kv = [[1, 0, 0.5, -0.2, 0.1, 0], [0, 0.3, -0.1, 0.4, 0.2, 0.7], [0.2, -0.6, 0, 0.1, 0.5, 0.3]];
    const G = [[1, -0.5, 0.2, 0, 0.3, 0.1], [0.4, 0, -0.2, 0.6, 0, 0.5]];
    const opts = { keyPaddingMask: [false, true, false] };
    const g = layer.backward(layer.forward(q, kv, kv, opts), G);
    const gFast = fastBackward(layer, fastForward(layer, q, kv, kv, opts), G);
    expect(deepMax(gFast, g)).toBeLessThan(1e-12);
    const loss = () => dotAll(layer.forward(q, kv, kv, opts).output, G);
    expect(maxAbsDiff(g.dQuery, numericGrad(q, loss))).toBeLessThan(1e-7);
    for (const key of ["wQ", "wK", "wV", "wO", "bK", "bV"] as const) {
      const copy = JSON.parse(JSON.stringify(p)) as MhaParams;
      const lossAt = () => dotAll(new MultiHeadAttention(copy, 3, 1).forward(q, kv, kv, opts).output, G);
      expect(maxAbsDiff(g.dParams[key] as Matrix, numericGrad(copy[key] as Matrix, lossAt)), key).toBeLessThan(1e-7);
    }
  });

  it("bad input: numKVHeads must divide numHeads, and the weights must have its width", () => {
    expect(() => MultiHeadAttention.random({ dModel: 8, numHeads: 4, numKVHeads: 3 })).toThrow(
      "numHeads 4 is not divisible by numKVHeads 3: each key/value head serves the same number of query heads");
    expect(() => MultiHeadAttention.random({ dModel: 8, numHeads: 4, numKeyHeads: 2 } as never)).toThrow(
      "`numKeyHeads` is not an option of MultiHeadAttention.random; did you mean `numKVHeads`?");
    const mha = MultiHeadAttention.random({ dModel: 8, numHeads: 4 });
    expect(() => new MultiHeadAttention(mha.params, 4, 2)).toThrow("wK has 8 columns but numKVHeads 2 × dK 2 = 4");
    expect(() => MultiHeadAttention.random({ dModel: 8, numHeads: 4, numKVHeads: 2 }).toTorchStateDict()).toThrow(
      "toTorchStateDict: PyTorch's nn.MultiheadAttention has no grouped-query attention");
  });
});

describe("the README's module example (issue 27, item 6)", () => {
  const f = read("readme_example");
  const mha = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 42 });
  const x = [[1, 0, 0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0, 0, 0], [0, 0, 0, 1, 0, 0, 0, 0]];
  const trace = mha.forward(x, { attnMask: causalMask(4) });
  const row = (r: number[]) => r.map((v) => v.toFixed(4)).join(" ");

  it("golden.py rebuilt the same weights from the same seed (its mulberry32 and Glorot are ours, bit for bit)", () => {
    expect(f.params).toEqual({ wQ: mha.params.wQ, wK: mha.params.wK, wV: mha.params.wV, wO: mha.params.wO });
  });

  it("PyTorch's first output row, printed as the example prints it, is the row the README quotes; ours equals PyTorch's to 1e-15", () => {
    const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
    const quoted = readme.match(/first output row starts `([-\d. ]+)`/)?.[1];
    expect(quoted, "the README's sentence 'The first output row starts `…`'").toBeDefined();
    expect(row(f.output[0]).startsWith(quoted!)).toBe(true);
    expect(row(trace.output[0]).startsWith(quoted!)).toBe(true);
    const diff = deepMax(trace.output, f.output);
    expect(diff).toBeLessThan(1e-15);
    expect(deepMax(trace.weights, f.weights)).toBeLessThan(1e-15);
    console.log(`README example: max |ours − PyTorch| over the output = ${diff.toExponential(2)}`);
  });
});
