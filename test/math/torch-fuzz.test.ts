/**
 * Differential fuzz against real PyTorch: test/fixtures/torch-fuzz/cases.json holds 300 random
 * torch.nn.MultiheadAttention configurations (dims, heads, kdim/vdim, bias, every mask kind and their
 * combinations, fully masked rows), written with a fixed seed by scripts/golden_fuzz.py
 * (`npm run fixtures:torch-fuzz`). BOTH our paths run every case: the readable forward and fastForward
 * (through mha.forward(…, { kernel: "fast" })). Each must match PyTorch to 1e-12 on every row PyTorch
 * computes (achieved: a few 1e-15); on the rows PyTorch leaves NaN (every key masked) we must give zero weights
 * and the output bO. The two paths must give the same numbers, bit for bit.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { MultiHeadAttention } from "../../src/math/multi-head";
import { fastForward } from "../../src/math/fast";

type Matrix = number[][];
interface Case {
  name: string;
  description: string;
  args: { embed_dim: number; num_heads: number; kdim: number; vdim: number; bias: boolean };
  state_dict: Record<string, number[] | Matrix>;
  query: Matrix;
  key: Matrix;
  value: Matrix;
  attn_mask: boolean[][] | Matrix | null;
  key_padding_mask: boolean[] | null;
  causal: boolean;
  causal_in_float_mask: boolean;
  output: Matrix;
  weights: Matrix[];
  nan_rows: number[];
}

const revive = (_k: string, v: unknown) => (v === "NaN" ? NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : v);
const file = JSON.parse(readFileSync(join(__dirname, "..", "fixtures", "torch-fuzz", "cases.json"), "utf8"), revive) as {
  seed: number; torch_version: string; cases: Case[];
};

function maxDiff(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return Infinity;
    return a.reduce((m: number, x, i) => Math.max(m, maxDiff(x, b[i])), 0);
  }
  if (typeof a === "number" && typeof b === "number") {
    const d = a === b ? 0 : Math.abs(a - b);
    return Number.isNaN(d) ? Infinity : d;
  }
  return Infinity;
}

const worst = { readable: 0, fast: 0, between: 0 };
afterAll(() => {
  console.log(`torch fuzz (${file.cases.length} cases, seed ${file.seed}, torch ${file.torch_version}): max |ours − torch| ` +
    `readable ${worst.readable.toExponential(2)}, fast ${worst.fast.toExponential(2)}; max |readable − fast| ${worst.between.toExponential(2)}`);
});

describe("differential fuzz: both paths vs torch.nn.MultiheadAttention", () => {
  test("the fixture holds a few hundred cases, with every mask kind and fully masked rows", () => {
    const cs = file.cases;
    expect(cs.length).toBeGreaterThanOrEqual(200);
    expect(cs.some((c) => c.nan_rows.length > 0)).toBe(true);
    expect(cs.some((c) => c.causal)).toBe(true);
    expect(cs.some((c) => c.key_padding_mask && c.attn_mask)).toBe(true);
    expect(cs.some((c) => c.attn_mask && typeof c.attn_mask[0][0] === "number")).toBe(true);
    expect(cs.some((c) => c.args.kdim !== c.args.embed_dim || c.args.vdim !== c.args.embed_dim)).toBe(true);
    expect(cs.some((c) => !c.args.bias)).toBe(true);
  });

  test.each(file.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const mha = MultiHeadAttention.fromTorchStateDict(c.state_dict, { numHeads: c.args.num_heads });
    const options = {
      attnMask: c.attn_mask ?? undefined,
      keyPaddingMask: c.key_padding_mask ?? undefined,
      causal: c.causal || c.causal_in_float_mask,
    };
    const readable = mha.forward(c.query, c.key, c.value, options);
    const fast = mha.forward(c.query, c.key, c.value, { ...options, kernel: "fast" });
    const direct = fastForward(mha, c.query, c.key, c.value, options);
    const between = Math.max(maxDiff(readable.output, fast.output), maxDiff(readable.weights, fast.weights), maxDiff(fast.output, direct.output));
    worst.between = Math.max(worst.between, between);
    expect(between, "readable vs fast, bit for bit").toBe(0);
    const keep = (i: number) => !c.nan_rows.includes(i);
    for (const [name, t] of [["readable", readable], ["fast", fast]] as const) {
      expect(t.fullyMaskedRows, `${name} fullyMaskedRows`).toEqual(c.nan_rows);
      const dOut = maxDiff(t.output.filter((_, i) => keep(i)), c.output.filter((_, i) => keep(i)));
      const dW = maxDiff(t.weights.map((w) => w.filter((_, i) => keep(i))), c.weights.map((w) => w.filter((_, i) => keep(i))));
      worst[name] = Math.max(worst[name], dOut, dW);
      expect(dOut, `${name} output`).toBeLessThanOrEqual(1e-12);
      expect(dW, `${name} weights`).toBeLessThanOrEqual(1e-12);
      const bO = mha.params.bO ?? new Array(mha.dModel).fill(0);
      for (const i of c.nan_rows) {
        for (const w of t.weights) expect(w[i].every((x) => x === 0), `${name} weights row ${i}`).toBe(true);
        expect(t.output[i].map((x) => x + 0), `${name} output row ${i} (all keys masked) is bO (+0 and −0 alike)`).toEqual(bO);
      }
      for (const row of t.output) for (const x of row) expect(Number.isFinite(x)).toBe(true);
    }
  });
});
